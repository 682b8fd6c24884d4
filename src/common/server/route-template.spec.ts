import Fastify from 'fastify';
import { declareRouteTemplate, routeTemplateOf } from './route-template';

describe('routeTemplateOf', () => {
  it('reads the template once per request, the 404 included', async () => {
    const fastify = Fastify();
    declareRouteTemplate(fastify);
    const seen: Array<string | undefined> = [];
    let reads = 0;
    fastify.addHook('onRequest', (request, _reply, done) => {
      const routeOptions = inheritedDescriptor(request, 'routeOptions').get!;
      Object.defineProperty(request, 'routeOptions', {
        get() {
          reads += 1;
          return routeOptions.call(request) as unknown;
        },
      });
      done();
    });
    fastify.addHook('onSend', (request, _reply, payload, done) => {
      seen.push(routeTemplateOf(request), routeTemplateOf(request));
      done(null, payload);
    });
    fastify.get('/items/:id', async () => ({ ok: true }));

    expect((await fastify.inject({ method: 'GET', url: '/items/42' })).statusCode).toBe(200);
    expect((await fastify.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);

    expect(seen).toEqual(['/items/:id', '/items/:id', undefined, undefined]);
    expect(reads).toBe(2);
    await fastify.close();
  });
});

/** A property's descriptor from the first object on the prototype chain that defines it. */
function inheritedDescriptor(object: object, name: string): PropertyDescriptor {
  for (let o: object | null = object; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, name);
    if (descriptor) return descriptor;
  }
  throw new Error(`no ${name} on the prototype chain`);
}
