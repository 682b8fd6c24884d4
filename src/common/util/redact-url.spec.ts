import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('replaces the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/captions')).toBe(
      'postgres://app:***@db:5432/captions',
    );
    expect(redactUrl('redis://:pw@cache:6379/0')).toBe('redis://:***@cache:6379/0');
  });
  it('leaves URLs without a password unchanged', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
  it('hides an unparseable URL entirely and maps unset to null', () => {
    expect(redactUrl('::not a url with s3cret')).toBe('***');
    expect(redactUrl(undefined)).toBeNull();
  });
});
