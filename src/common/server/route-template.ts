import type { FastifyRequest } from 'fastify';

/** Where a request keeps its route template once read: null for a request no route matched. */
const ROUTE_TEMPLATE = Symbol('routeTemplate');

type WithRouteTemplate = FastifyRequest & { [ROUTE_TEMPLATE]?: string | null };

/**
 * The template of the route a request matched (`/api/v14/captions/:id`), or undefined when none
 * did (a 404). Fastify 5's `request.routeOptions` is a getter that builds a twelve-field object
 * and asks the router about version constraints on every access, and the request id, in-flight,
 * access-line, metrics and security hooks each need the template: it is read once per request.
 */
export function routeTemplateOf(request: FastifyRequest): string | undefined {
  const slot = request as WithRouteTemplate;
  let template = slot[ROUTE_TEMPLATE];
  if (template === undefined) template = slot[ROUTE_TEMPLATE] = request.routeOptions.url ?? null;
  return template ?? undefined;
}

/**
 * Declares the slot on Fastify's requests (before any route is registered), so every request
 * object has the same shape from the start rather than gaining a property in a hook.
 */
export function declareRouteTemplate(fastify: {
  decorateRequest(property: symbol, value: undefined): unknown;
}): void {
  fastify.decorateRequest(ROUTE_TEMPLATE, undefined);
}
