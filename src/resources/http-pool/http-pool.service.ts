import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';
import { CircuitOpenError, ResourceUnavailableError } from '../../common/errors/app-errors';
import { InFlightCounter } from '../../common/util/in-flight-counter';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import type { ResourceObservation } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import {
  BUSY_THRESHOLD_PERCENT,
  DRAIN_MAX_MS,
  HTTP_POOL_RESOURCE_NAME,
} from './http-pool.constants';
import { acceptAnswer, axiosResponseType } from './http-pool.answer';
import { observeHttpPool } from './http-pool.observation';
import { RequestDeadline } from './http-pool.deadline';
import {
  AttemptFailure,
  abortFailure,
  failureFromError,
  failureFromStatus,
  requestLabel,
  toAppError,
} from './http-pool.errors';
import { HostTable, UpstreamHost } from './http-pool.host';
import { HTTP_POOL_OPTIONS } from './http-pool.module-definition';
import { HttpPoolOptions } from './http-pool.options';
import { RetryPlan, sleep } from './http-pool.retry';
import { HttpHostStats, HttpPoolStats } from './http-pool.stats';
import {
  HttpAgents,
  SocketCounts,
  addCounts,
  axiosDefaults,
  countSockets,
  createAgents,
  destroyAgents,
  flattenHeaders,
  parseTarget,
} from './http-pool.transport';
import { HttpPoolRequest, HttpPoolResponse, HttpRequester } from './http-pool.types';

/**
 * The shared outbound HTTP client: axios (through @nestjs/axios) on keep-alive agents, with a
 * total deadline per request, retries for idempotent requests and a circuit breaker per host.
 *
 * Errors callers see are typed: `UpstreamError` (5xx after retries, network failure),
 * `UpstreamBadAnswerError` (an answer too large, not JSON when JSON was asked for, or refused
 * by the caller's `validate`; never retried), `UpstreamRateLimitedError` (429 after retries),
 * `UpstreamTimeoutError` (deadline),
 * `CircuitOpenError` (the host's circuit is open; fails in milliseconds) and
 * `ResourceUnavailableError` (the pool is shut down). Answers below 500 other than 429 resolve.
 */
@Injectable()
export class HttpPoolService extends ManagedResourceBase implements HttpRequester {
  private agents?: HttpAgents;
  /** Aborted at shutdown to cut requests still running after the drain. */
  private lifetime = new AbortController();
  private readonly hosts: HostTable;
  private readonly defaults: AxiosRequestConfig;
  private requests = 0;
  private errors = 0;
  private retries = 0;
  private readonly inFlight = new InFlightCounter();

  constructor(
    private readonly http: HttpService,
    @Inject(HTTP_POOL_OPTIONS) private readonly options: HttpPoolOptions,
    registry: ResourceRegistry,
  ) {
    // Optional: only remote models use it, and they fall back to caption-local.
    super(HTTP_POOL_RESOURCE_NAME, ResourceType.HTTP_CLIENT, { required: false });
    this.hosts = new HostTable(
      {
        threshold: options.breakerThreshold,
        halfOpenAfterMs: options.breakerHalfOpenMs,
      },
      this.logger,
    );
    this.defaults = axiosDefaults(options);
    registry.register(this);
  }

  /**
   * Sockets in use on the busiest agent, percent of `maxConnections` (one decimal).
   * Requests queue inside the agent once it reaches 100; monitoring alerts from 90.
   */
  get usagePercent(): number {
    if (!this.agents) return 0;
    const busiest = Math.max(
      countSockets(this.agents.http).active,
      countSockets(this.agents.https).active,
    );
    return Math.round((busiest / this.options.maxConnections) * 1000) / 10;
  }

  /**
   * Sends one request, retrying where safe, within one total deadline.
   * Headers are passed to the upstream and nowhere else: never logged, never in an error.
   */
  async request<T = unknown>(request: HttpPoolRequest): Promise<HttpPoolResponse<T>> {
    this.assertUsable();
    const agents = this.agents;
    if (!agents) throw new ResourceUnavailableError(this.name, 'is not initialized');
    const url = parseTarget(request.url);
    const host = this.hosts.for(url);
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs;
    const deadline = new RequestDeadline(timeoutMs, this.lifetime.signal);
    this.begin(host);
    try {
      return await this.send<T>(request, url, host, agents, deadline);
    } catch (error) {
      host.errors++;
      this.errors++;
      throw error;
    } finally {
      deadline.dispose();
      this.end(host);
    }
  }

  stats(): HttpPoolStats {
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      max_connections: this.options.maxConnections,
      timeout_ms: this.options.timeoutMs,
      free_socket_timeout_ms: this.options.freeSocketTimeoutMs,
      max_response_bytes: this.options.maxResponseBytes,
      usage_percent: this.usagePercent,
      sockets: this.socketCounts(),
      requests: this.requests,
      errors: this.errors,
      retries: this.retries,
      in_flight: this.inFlight.count,
      hosts: Object.fromEntries(this.hosts.all().map((h) => [h.key, this.hostStats(h)])),
    };
  }

  observe(): ResourceObservation {
    return observeHttpPool(this.stats());
  }

  /** (Re)creates the agents, so initialize after shutdown works. */
  protected async doInit(): Promise<void> {
    if (this.agents) destroyAgents(this.agents);
    this.agents = createAgents(this.options);
    this.lifetime = new AbortController();
  }

  /** Lets in-flight requests finish (bounded), aborts the rest, then closes every socket. */
  protected async doShutdown(): Promise<void> {
    const drainMs = Math.min(this.options.shutdownGraceMs, DRAIN_MAX_MS);
    if (!(await this.inFlight.waitUntilAtMost(0, drainMs))) {
      this.logger.warn(
        `${this.inFlight.count} request(s) still running after ${drainMs} ms: aborting`,
      );
    }
    this.lifetime.abort();
    if (this.agents) destroyAgents(this.agents);
    this.agents = undefined;
  }

  /** Degraded while any host's circuit is not closed: that upstream is failing fast. */
  protected async probe(): Promise<ResourceHealth> {
    const tripped = this.hosts.all().filter((h) => h.circuit !== 'closed');
    const details = { usage_percent: this.usagePercent, in_flight: this.inFlight.count };
    if (tripped.length === 0) return { status: 'healthy', details };
    const circuits = Object.fromEntries(tripped.map((h) => [h.key, h.circuit]));
    return { status: 'degraded', details: { ...details, circuits } };
  }

  /** The attempt loop: one breaker-guarded attempt, then retry or give up. */
  private async send<T>(
    request: HttpPoolRequest,
    url: URL,
    host: UpstreamHost,
    agents: HttpAgents,
    deadline: RequestDeadline,
  ): Promise<HttpPoolResponse<T>> {
    const label = requestLabel(request.method, url);
    const plan = new RetryPlan(request, this.options.retries);
    for (;;) {
      let failure: AttemptFailure;
      try {
        return await host.breaker.execute(
          () => this.attempt<T>(request, label, agents, deadline),
          deadline.signal,
        );
      } catch (error) {
        failure = this.asFailure(error, host, label, deadline);
      }
      const waitMs = plan.next(failure, deadline.remainingMs());
      if (waitMs === undefined) throw toAppError(failure);
      host.retries++;
      this.retries++;
      this.logger.debug(`${failure.message}: retry in ${waitMs} ms`);
      await sleep(waitMs, deadline.signal).catch(() => {
        throw toAppError(abortFailure(label, deadline) ?? failure);
      });
    }
  }

  /**
   * One try: a 5xx or 429 answer, or a bad answer (too large, not JSON when asked for, refused
   * by the caller's `validate`), is thrown as a failure so the breaker and retries see it.
   */
  private async attempt<T>(
    request: HttpPoolRequest,
    label: string,
    agents: HttpAgents,
    deadline: RequestDeadline,
  ): Promise<HttpPoolResponse<T>> {
    let response: AxiosResponse<T>;
    this.refreshSaturation();
    try {
      response = await this.http.axiosRef.request<T>({
        ...this.defaults,
        method: request.method,
        url: request.url,
        headers: request.headers,
        data: request.data,
        responseType: axiosResponseType(request),
        signal: deadline.signal,
        httpAgent: agents.http,
        httpsAgent: agents.https,
      });
    } catch (error) {
      throw failureFromError(error, label, deadline);
    } finally {
      this.refreshSaturation();
    }
    const headers = flattenHeaders(response.headers);
    const failure = failureFromStatus(label, response.status, headers['retry-after']);
    if (failure) throw failure;
    const data = acceptAnswer(request, label, response.status, response.data) as T;
    return { status: response.status, headers, data };
  }

  /** Turns what the breaker threw into a failure to retry on, or throws the final error. */
  private asFailure(
    error: unknown,
    host: UpstreamHost,
    label: string,
    deadline: RequestDeadline,
  ): AttemptFailure {
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
      throw new CircuitOpenError(host.key);
    }
    if (error instanceof AttemptFailure) return error;
    // cockatiel's own cancellation while waiting on a half-open trial, or a bug: report the
    // deadline if that is what ended it, else let it through untouched.
    const aborted = abortFailure(label, deadline);
    if (aborted) return aborted;
    throw error;
  }

  private begin(host: UpstreamHost): void {
    this.requests++;
    this.inFlight.start();
    host.requests++;
    host.inFlight++;
  }

  private end(host: UpstreamHost): void {
    this.inFlight.finish();
    host.inFlight--;
    this.refreshSaturation();
  }

  /**
   * `busy` from 90 % socket usage, `ready` below. Checked around every attempt: agents emit no
   * event when they open a socket, and under load attempts are frequent.
   */
  private refreshSaturation(): void {
    this.markBusy(this.usagePercent >= BUSY_THRESHOLD_PERCENT);
  }

  private socketCounts(match?: (poolName: string) => boolean): SocketCounts {
    if (!this.agents) return { active: 0, free: 0, pending: 0 };
    return addCounts(countSockets(this.agents.http, match), countSockets(this.agents.https, match));
  }

  private hostStats(host: UpstreamHost): HttpHostStats {
    return {
      ...this.socketCounts((name) => host.ownsPool(name)),
      requests: host.requests,
      errors: host.errors,
      retries: host.retries,
      circuit: host.circuit,
    };
  }
}
