import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('keeps the path and only the names of the query parameters', () => {
    expect(loggableUrl('/api/v14/captions?api_key=s3cret&limit=5&api_key=again')).toEqual({
      path: '/api/v14/captions',
      query: ['api_key', 'limit'],
    });
  });
  it('leaves a URL without a query as its path', () => {
    expect(loggableUrl('/api/v14/stats')).toEqual({ path: '/api/v14/stats' });
    expect(loggableUrl('/api/v14/stats?')).toEqual({ path: '/api/v14/stats' });
  });
  it('bounds what a client can make it write', () => {
    const { path, query } = loggableUrl(
      `/${'p'.repeat(5000)}?${Array.from({ length: 50 }, (_, i) => `${i}${'n'.repeat(100)}=v`).join('&')}`,
    );
    expect(path).toHaveLength(513);
    expect(query).toHaveLength(20);
    expect(query?.[0]).toHaveLength(64);
  });
});
