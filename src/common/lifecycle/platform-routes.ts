/**
 * The platform's own traffic: Kubernetes probes and Prometheus scrapes. They are counted in no
 * request figure (`total_requests`, server errors, the error rate, the HTTP request series):
 * a readiness 503 while draining, or a scrape every 15 s, says nothing about the users' traffic.
 * `route` is the matched route template (undefined for a 404, which is user traffic).
 */
export function isPlatformRoute(route: string | undefined): boolean {
  return route !== undefined && (route.startsWith('/api/v14/health') || route === '/metrics');
}
