/**
 * Fastify's `trustProxy` from TRUST_PROXY: `false` (the default), `true`, a hop count, or a
 * comma-separated list of proxy addresses / CIDR ranges.
 *
 * Off by default because the client address is what rate limits and the audit log key on: with
 * it on and no proxy in front, any client could pick its own address in X-Forwarded-For and get
 * a fresh limit with every request. Behind a load balancer, name it (its addresses, or the
 * number of proxies in front) so the limits apply to the real clients rather than to it.
 */
export function trustProxyOption(
  value: string,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === 'false') return false;
  if (trimmed === 'true') return true;
  // Fastify 5.12 ignores a numeric trustProxy (it fails closed); a hop count is still a
  // documented TRUST_PROXY value, so it is passed as the function proxy-addr used to build:
  // trust the first `hops` addresses, counting from the socket's peer (hop 0).
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return (_address, hop) => hop < hops;
  }
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `false`, `true`, a hop count, or a list of IPv4/IPv6 addresses or CIDR ranges. */
export const TRUST_PROXY_PATTERN =
  /^(false|true|\d{1,2}|[0-9A-Fa-f:.]+(\/\d{1,3})?(\s*,\s*[0-9A-Fa-f:.]+(\/\d{1,3})?)*)$/i;
