import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { FastifyReply } from 'fastify';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceHealthIndicator } from './resource.health';
import { ProbeCache } from './probe-cache';
import { LivenessFigures, LivenessReport } from './liveness';

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
  @ApiOperation({
    summary: 'Liveness: the process and its event loop only; never touches a dependency',
  })
  live(): LivenessFigures {
    return this.liveness.figures();
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: database answers, required models loaded, not draining. Redis is reported, never failing.',
  })
  @ApiServiceUnavailableResponse({ description: 'not ready' })
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
  @ApiOperation({
    summary:
      'Startup: 200 once every resource has finished initializing and MODEL_PRELOAD models are loaded; an optional resource that is down (Redis) does not hold it back',
  })
  @ApiServiceUnavailableResponse({ description: 'still starting' })
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
