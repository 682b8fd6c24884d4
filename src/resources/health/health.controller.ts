import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { FastifyReply } from 'fastify';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceHealthIndicator } from './resource.health';
import { ProbeCache } from './probe-cache';
import { LivenessFigures, LivenessReport } from './liveness';
import { ApiRoute } from '../../common/api-route/api-route.decorator';
import { LivenessSchema, ReadinessSchema, StartupSchema } from './health.schema';

/**
 * How long a readiness result is reused, so frequent probes cannot saturate the pools. Together
 * with the database probe's 1 s timeout, a hung database shows within 2 s, and so does recovery.
 */
const READY_CACHE_MS = 1000;

/** Kubernetes probes. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly readyCache = new ProbeCache<HealthCheckResult | { failed: unknown }>(
    READY_CACHE_MS,
  );
  private cachedGeneration = 0;
  private readonly liveness = new LivenessReport();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly resources: ResourceHealthIndicator,
    private readonly registry: ResourceRegistry,
    private readonly lifecycle: LifecycleService,
  ) {}

  @Get('live')
  @ApiRoute({
    summary: 'Liveness: the process and its event loop only; never touches a dependency',
    description:
      'Answers 200 while the process and its event loop run: uptime, event loop delay and memory. Never touches the database or Redis, so a dependency outage never restarts the pod.',
    responses: { 200: { description: 'alive', schema: LivenessSchema } },
  })
  live(): LivenessFigures {
    return this.liveness.figures();
  }

  @Get('ready')
  @ApiRoute({
    summary:
      'Readiness: database answers, required models loaded, not draining. Redis is reported, never failing.',
    description:
      'Checks every registered resource (required ones decide) and that the instance is not draining; the result is reused for a second so frequent probes cannot load the pools.',
    responses: { 200: { description: 'ready', schema: ReadinessSchema } },
    errors: { 503: { description: 'not ready: the failing checks', schema: ReadinessSchema } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    if (this.cachedGeneration !== this.lifecycle.generation) {
      this.readyCache.reset();
      this.cachedGeneration = this.lifecycle.generation;
    }
    const outcome = await this.readyCache.get(() =>
      this.health
        .check([
          () => this.notDraining(),
          // Each resource declares whether it is required; optional ones are only reported.
          ...this.registry.all().map((r) => () => this.resources.check(r)),
        ])
        .catch((error: unknown) => ({ failed: error })),
    );
    return this.answer(outcome, reply);
  }

  @Get('startup')
  @ApiRoute({
    summary: 'Startup: 200 once every resource has initialized and MODEL_PRELOAD models are loaded',
    description:
      'Answers 503 while a required resource is not usable yet or an optional one has not finished its first attempt; an optional resource that is down (Redis) does not hold it back.',
    responses: { 200: { description: 'started', schema: StartupSchema } },
    errors: { 503: { description: 'still starting', schema: StartupSchema } },
  })
  startup(@Res({ passthrough: true }) reply: FastifyReply): Record<string, unknown> {
    const waitingFor = this.registry.startupPending();
    const started = Object.keys(waitingFor).length === 0;
    if (!started) void reply.status(503);
    return {
      status: started ? 'ok' : 'starting',
      resources: this.registry.states(),
      waiting_for: waitingFor,
    };
  }

  private notDraining() {
    const indicator = this.indicators.check('lifecycle');
    return this.lifecycle.shuttingDown
      ? indicator.down({ phase: 'shutting_down' })
      : indicator.up({ phase: 'serving' });
  }

  private answer(outcome: HealthCheckResult | { failed: unknown }, reply: FastifyReply): unknown {
    if (!('failed' in outcome)) return outcome;
    if (outcome.failed instanceof ServiceUnavailableException) {
      void reply.status(503);
      return outcome.failed.getResponse();
    }
    throw outcome.failed;
  }
}
