import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How long one reading of the process figures serves liveness answers, ms. */
export const LIVENESS_FIGURES_MAX_AGE_MS = 1000;

export interface LivenessFigures {
  status: 'ok';
  uptime_s: number;
  event_loop_delay_ms: { p50: number; p99: number };
  heap_used_mb: number;
  rss_mb: number;
}

/** The delay monitor's timer period, ms: every sample it records includes it. */
const EVENT_LOOP_RESOLUTION_MS = 20;

const eventLoop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
eventLoop.enable();

/**
 * The process and its event loop, read now. The delay is the loop's lateness since the previous
 * reading: the monitor's samples are whole timer periods, so its resolution is taken off (an idle
 * loop reads 0, not 20 ms), and it is reset after each reading so one stall does not stay in the
 * figure for the life of the process.
 */
export function readLivenessFigures(): LivenessFigures {
  const memory = process.memoryUsage();
  const delay = {
    p50: lateness(eventLoop.percentile(50)),
    p99: lateness(eventLoop.percentile(99)),
  };
  eventLoop.reset();
  return {
    status: 'ok',
    uptime_s: Math.round(process.uptime()),
    event_loop_delay_ms: delay,
    heap_used_mb: Math.round(memory.heapUsed / 1048576),
    rss_mb: Math.round(memory.rss / 1048576),
  };
}

/** A recorded period (ns) as lateness in ms, two decimals; 0 before any sample. */
function lateness(periodNs: number): number {
  if (!(periodNs > 0)) return 0;
  return Math.max(0, ms(periodNs) - EVENT_LOOP_RESOLUTION_MS);
}

/**
 * The body of GET /health/live, read at most once per `maxAgeMs`. `process.memoryUsage()` reads
 * /proc and the delay percentiles scan a histogram: read on every call they were a quarter of a
 * liveness answer's CPU (bench:profile). Figures up to a second old say the same to a probe, and
 * the answer itself still proves the event loop turns.
 */
export class LivenessReport {
  private last?: { figures: LivenessFigures; at: number };

  constructor(
    private readonly read: () => LivenessFigures = readLivenessFigures,
    private readonly maxAgeMs = LIVENESS_FIGURES_MAX_AGE_MS,
  ) {}

  figures(): LivenessFigures {
    const now = Date.now();
    if (!this.last || now - this.last.at >= this.maxAgeMs) {
      this.last = { figures: this.read(), at: now };
    }
    return this.last.figures;
  }
}

function ms(nanoseconds: number): number {
  return Math.round(nanoseconds / 1e4) / 100;
}
