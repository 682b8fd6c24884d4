import { BadRequestException } from '@nestjs/common';
import { forbiddenKeyIn, namingForbiddenKeys } from './forbidden-json-keys';

describe('forbiddenKeyIn', () => {
  it('names __proto__ and constructor.prototype, at any depth', () => {
    expect(forbiddenKeyIn('{"a":[{"__proto__":{}}]}')).toBe('__proto__');
    expect(forbiddenKeyIn('{"a":{"constructor":{"prototype":{}}}}')).toBe('constructor');
  });
  it('finds nothing in a harmless or unparseable body', () => {
    expect(forbiddenKeyIn('{"constructor":1,"a":"__proto__"}')).toBeUndefined();
    expect(forbiddenKeyIn('{"__proto__":')).toBeUndefined();
  });
});

describe('namingForbiddenKeys', () => {
  const parsed = (parse: ReturnType<typeof namingForbiddenKeys<object>>, body: string) =>
    new Promise<{ error: Error | null; value?: unknown }>((resolve) =>
      parse({}, body, (error, value) => resolve({ error, value })),
    );
  const refusing = namingForbiddenKeys<object>((_request, _body, done) =>
    done(new Error('Body is not valid JSON')),
  );

  it('turns the parser refusing a poisoned body into a 400 naming the key', async () => {
    const { error } = await parsed(refusing, '{"__proto__":{}}');
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).getResponse()).toMatchObject({
      message: ['property __proto__ should not exist'],
    });
  });
  it('passes other outcomes through', async () => {
    expect((await parsed(refusing, '{')).error?.message).toBe('Body is not valid JSON');
    const accepting = namingForbiddenKeys<object>((_r, body, done) => done(null, JSON.parse(body)));
    expect(await parsed(accepting, '{"a":1}')).toEqual({ error: null, value: { a: 1 } });
  });
});
