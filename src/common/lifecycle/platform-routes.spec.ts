import { isPlatformRoute } from './platform-routes';

describe('isPlatformRoute', () => {
  it.each(['/api/v14/health/live', '/api/v14/health/ready', '/api/v14/health/startup', '/metrics'])(
    '%s is the platform’s traffic',
    (route) => expect(isPlatformRoute(route)).toBe(true),
  );

  it.each([
    '/api/v14/captions/generate',
    '/api/v14/resources/monitoring/health',
    '/api/v14/stats',
    '/dashboard',
  ])('%s is user traffic', (route) => expect(isPlatformRoute(route)).toBe(false));

  it('an unmatched request (a 404 has no route) is user traffic', () => {
    expect(isPlatformRoute(undefined)).toBe(false);
  });
});
