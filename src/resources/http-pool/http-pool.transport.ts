import * as http from 'node:http';
import * as https from 'node:https';
import type { AxiosRequestConfig } from 'axios';
import { InvalidInputError } from '../../common/errors/app-errors';
import {
  HTTP_POOL_RESOURCE_NAME,
  MAX_FREE_SOCKETS_PER_HOST,
  MAX_REDIRECTS,
} from './http-pool.constants';
import { HttpPoolOptions } from './http-pool.options';

/** The keep-alive agents every outbound request goes through, one per scheme. */
export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

/** Sockets of an agent (or of one host on it): in use, idle in the pool, and requests queued. */
export interface SocketCounts {
  active: number;
  free: number;
  pending: number;
}

/**
 * Creates keep-alive agents sized by `maxConnections`.
 *
 * `timeout` is the free-socket timeout: Node arms it whenever a socket goes back to the pool
 * and destroys the socket when it fires. Keeping it below the server's keep-alive timeout
 * (5 s for Node and many proxies) means we close idle sockets before the server does, so we
 * rarely write a request onto a socket the server is closing (the ECONNRESET race). Node also
 * shortens it further when the server announces `Keep-Alive: timeout=N`.
 * It does not cut an active request: on a busy socket it only emits `timeout`, which nothing
 * here listens to; the request's own deadline bounds it.
 */
export function createAgents(pool: HttpPoolOptions): HttpAgents {
  const options: http.AgentOptions = {
    keepAlive: true,
    maxSockets: pool.maxConnections,
    maxTotalSockets: pool.maxConnections,
    maxFreeSockets: Math.min(pool.maxConnections, MAX_FREE_SOCKETS_PER_HOST),
    timeout: pool.freeSocketTimeoutMs,
    // Reuse the most recently used socket: the others stay idle and time out, so the pool
    // shrinks after a burst instead of keeping every socket barely alive.
    scheduling: 'lifo',
  };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/**
 * Per-request axios settings that do not change while the app runs; also the defaults of the
 * HttpModule's axios instance, so it is safe even if used directly.
 */
export function axiosDefaults(pool: HttpPoolOptions): AxiosRequestConfig {
  return {
    maxRedirects: MAX_REDIRECTS,
    // A runaway or hostile upstream must not fill our memory.
    maxContentLength: pool.maxResponseBytes,
    // axios' name for the largest request body (follow-redirects buffers it for redirects).
    maxBodyLength: pool.maxResponseBytes,
    // Every answer resolves at the axios level; the pool decides what a 5xx or 429 means, and
    // 4xx answers reach the caller as answers, not errors.
    validateStatus: () => true,
  };
}

export function destroyAgents(agents: HttpAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** Counts an agent's sockets whose pool name (`host:port:...`) passes `match`. */
export function countSockets(
  agent: http.Agent,
  match: (poolName: string) => boolean = () => true,
): SocketCounts {
  return {
    active: sumMatching(agent.sockets, match),
    free: sumMatching(agent.freeSockets, match),
    pending: sumMatching(agent.requests, match),
  };
}

export function addCounts(a: SocketCounts, b: SocketCounts): SocketCounts {
  return { active: a.active + b.active, free: a.free + b.free, pending: a.pending + b.pending };
}

function sumMatching(
  pools: NodeJS.ReadOnlyDict<readonly unknown[]>,
  match: (poolName: string) => boolean,
): number {
  let total = 0;
  for (const [name, list] of Object.entries(pools)) if (list && match(name)) total += list.length;
  return total;
}

/** The request's URL, which must be absolute http(s). Not echoed: it may carry a key. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError(`${HTTP_POOL_RESOURCE_NAME}: the request URL is not absolute`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInputError(
      `${HTTP_POOL_RESOURCE_NAME}: only http and https URLs are supported`,
    );
  }
  return url;
}

/** Axios headers as plain lower-case strings; repeated headers joined as HTTP allows. */
export function flattenHeaders(headers: object): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null || typeof value === 'function') continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}
