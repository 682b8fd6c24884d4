import { Injectable, Logger } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/app-errors';
import type { SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { MetricsService } from './metrics.service';
import {
  SELF_TEST_DEFAULT_ITERATIONS,
  SELF_TEST_MAX_CONSECUTIVE_ERRORS,
  SELF_TEST_MAX_ITERATIONS,
} from './monitoring.constants';
import { SelfTestRunningError } from './monitoring.errors';
import { LatencySummary, summarize } from '../../common/util/percentiles';

/** One resource's line of the self-test answer. */
export type SelfTestResult = LatencySummary & {
  /** Operations attempted (the cache runs a set and a get per round). */
  operations: number;
  errors: number;
  /** Not exercised: the resource is not configured here (Redis without REDIS_URL). */
  skipped?: true;
  reason?: string;
  /** Given up after SELF_TEST_MAX_CONSECUTIVE_ERRORS failures in a row. */
  stopped_early?: true;
};

/** The body of POST /resources/testing/performance. */
export interface SelfTestReport {
  iterations: number;
  started_at: string;
  duration_ms: number;
  /** One line per resource that has a self-test, by resource name. */
  results: Record<string, SelfTestResult>;
}

interface Probe extends SelfTestPlan {
  name: string;
}

/**
 * The v14 performance self-test: a bounded loop of real operations on each registered resource
 * that declares a `selfTestPlan` — here a cache set and get, a database `SELECT 1`, a Redis
 * `PING`, one use of a model (the operation the models' feature registered with
 * `ModelPoolService.registerSelfTest`) — run one after another, with p50/p95/p99 per resource.
 * One run at a time (409 otherwise); at most 1000 rounds.
 */
@Injectable()
export class PerformanceTestService {
  private readonly logger = new Logger('SelfTest');
  private active = false;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly metrics: MetricsService,
  ) {}

  /** True while a run is going. */
  get running(): boolean {
    return this.active;
  }

  async run(iterations = SELF_TEST_DEFAULT_ITERATIONS): Promise<SelfTestReport> {
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > SELF_TEST_MAX_ITERATIONS) {
      throw new InvalidInputError(`iterations must be 1..${SELF_TEST_MAX_ITERATIONS}`);
    }
    if (this.active) throw new SelfTestRunningError();
    this.active = true;
    try {
      return await this.execute(iterations);
    } finally {
      this.active = false;
    }
  }

  private async execute(iterations: number): Promise<SelfTestReport> {
    const startedAt = new Date();
    const started = performance.now();
    const probes: Probe[] = this.registry.all().flatMap((resource) => {
      const plan = resource.selfTestPlan?.();
      return plan ? [{ name: resource.name, ...plan }] : [];
    });
    const state = new Map(
      probes.map((p) => [
        p.name,
        { durations: [] as number[], errors: 0, streak: 0, stopped: false },
      ]),
    );
    for (let i = 0; i < iterations; i++) {
      for (const probe of probes) {
        const s = state.get(probe.name)!;
        if (probe.skip || s.stopped) continue;
        for (const op of probe.operations) {
          const t0 = performance.now();
          try {
            await op(i);
            const ms = performance.now() - t0;
            s.durations.push(ms);
            s.streak = 0;
            this.metrics.observeSelfTest(probe.name, ms / 1000);
          } catch (error) {
            s.errors += 1;
            s.streak += 1;
            if (s.streak >= SELF_TEST_MAX_CONSECUTIVE_ERRORS) {
              s.stopped = true;
              this.logger.warn(
                `${probe.name}: ${s.streak} failures in a row (${(error as Error).message}); not exercised further`,
              );
              break;
            }
          }
        }
      }
    }
    await Promise.all(
      probes.map((probe) =>
        probe.skip ? undefined : probe.cleanup?.(iterations)?.catch(() => undefined),
      ),
    );
    const results = Object.fromEntries(
      probes.map((probe) => {
        const s = state.get(probe.name)!;
        const result: SelfTestResult = {
          operations: s.durations.length + s.errors,
          ...summarize(s.durations),
          errors: s.errors,
          ...(probe.skip ? { skipped: true as const, reason: probe.skip } : {}),
          ...(s.stopped ? { stopped_early: true as const } : {}),
        };
        return [probe.name, result];
      }),
    );
    const report: SelfTestReport = {
      iterations,
      started_at: startedAt.toISOString(),
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      results,
    };
    this.logger.log(`self-test of ${iterations} rounds took ${report.duration_ms} ms`);
    return report;
  }
}
