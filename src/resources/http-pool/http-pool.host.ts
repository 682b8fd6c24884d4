import { Logger } from '@nestjs/common';
import { CircuitBreakerPolicy, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import { CircuitName, circuitName } from '../../common/resilience/circuit-name';
import { MAX_TRACKED_HOSTS } from './http-pool.constants';
import { AttemptFailure } from './http-pool.errors';

/** Circuit breaker settings shared by every host. */
export interface BreakerOptions {
  /** Consecutive failed attempts that open a host's circuit (HTTP_BREAKER_THRESHOLD). */
  threshold: number;
  /** How long an open circuit waits before letting one trial request through, ms. */
  halfOpenAfterMs: number;
}

/** `host:port` of a URL, the port filled in for the scheme's default. */
export function hostKey(url: URL): string {
  return `${url.hostname}:${url.port || defaultPort(url)}`;
}

function defaultPort(url: URL): number {
  return url.protocol === 'https:' ? 443 : 80;
}

/** One upstream `host:port`: its circuit breaker and counters. */
export class UpstreamHost {
  /** Calls made to this host (one per `request()`, however many attempts it took). */
  requests = 0;
  /** Calls that ended in an error (circuit-open rejections included). */
  errors = 0;
  /** Extra attempts made after a failed one. */
  retries = 0;
  /** Calls running now. */
  inFlight = 0;
  readonly breaker: CircuitBreakerPolicy;
  private readonly poolPrefixes: string[];

  constructor(
    readonly key: string,
    url: URL,
    options: BreakerOptions,
    logger: Logger,
  ) {
    // Only failures that say the host is unwell count; a 404 or a stale pooled socket do not.
    const counts = handleWhen((e) => e instanceof AttemptFailure && e.countsAgainstHost);
    this.breaker = circuitBreaker(counts, {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.threshold),
    });
    this.breaker.onBreak(() => logger.warn(`circuit for ${key} opened`));
    this.breaker.onReset(() => logger.log(`circuit for ${key} closed`));
    this.poolPrefixes = agentPoolPrefixes(url);
  }

  get circuit(): CircuitName {
    return circuitName(this.breaker.state);
  }

  /** Whether an agent pool name (`host:port:localAddress...`) belongs to this host. */
  ownsPool(poolName: string): boolean {
    return this.poolPrefixes.some((prefix) => poolName.startsWith(prefix));
  }
}

/**
 * Node names an agent's pools `${host}:${port}:...`, with the host unbracketed and the port
 * left empty when the request did not give one; both spellings are matched.
 */
function agentPoolPrefixes(url: URL): string[] {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const prefixes = [`${host}:${url.port || defaultPort(url)}:`];
  if (!url.port) prefixes.push(`${host}::`);
  return prefixes;
}

/** The hosts seen so far, least recently used first, bounded by MAX_TRACKED_HOSTS. */
export class HostTable {
  private readonly hosts = new Map<string, UpstreamHost>();

  constructor(
    private readonly options: BreakerOptions,
    private readonly logger: Logger,
    private readonly max: number = MAX_TRACKED_HOSTS,
  ) {}

  /** The entry for the URL's host, created on first use. */
  for(url: URL): UpstreamHost {
    const key = hostKey(url);
    let host = this.hosts.get(key);
    if (host) this.hosts.delete(key);
    else {
      if (this.hosts.size >= this.max) this.evictOne();
      host = new UpstreamHost(key, url, this.options, this.logger);
    }
    this.hosts.set(key, host);
    return host;
  }

  all(): UpstreamHost[] {
    return [...this.hosts.values()];
  }

  /** Forgets the least recently used host that is idle with a closed circuit, if any. */
  private evictOne(): void {
    for (const host of this.hosts.values()) {
      if (host.inFlight === 0 && host.circuit === 'closed') {
        this.hosts.delete(host.key);
        return;
      }
    }
  }
}
