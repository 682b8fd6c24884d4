/**
 * Benchmark only: the built app (dist/) plus the SYNTHETIC CPU-bound model
 * (bench/synthetic-cpu.worker-model.ts, ~20 ms of CPU per caption) registered as a worker model
 * named `synthetic-cpu`, so a generate naming it runs in MODEL_WORKERS threads (or inline when
 * MODEL_WORKERS=0), and one bench-only route, GET /api/v14/bench-loop-delay: the main thread's
 * event-loop delay since the previous call (perf_hooks monitorEventLoopDelay), then reset.
 * The histogram records the whole interval between its timer's runs, resolution included (an
 * idle loop reads ~10 ms at a 10 ms resolution): the route answers it minus the resolution,
 * how late the timer ran.
 * Driven by model-workers.bench.ts. Never part of the service: both exist only in this process.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Controller, DynamicModule, Get, Module } from '@nestjs/common';

export const SYNTHETIC_MODEL = 'synthetic-cpu';
export const LOOP_DELAY_PATH = 'bench-loop-delay';

const RESOLUTION_MS = 10;
/** Enabled when this file is the process's entry (the driver imports only its names). */
const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

@Controller(LOOP_DELAY_PATH)
class LoopDelayController {
  /** Percentiles in ms of the delay measured since the last call; starts a new window. */
  @Get()
  read(): { p50: number; p99: number; max: number } {
    const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const window = {
      p50: ms(loopDelay.percentile(50)),
      p99: ms(loopDelay.percentile(99)),
      max: ms(loopDelay.max),
    };
    loopDelay.reset();
    return window;
  }
}

/** Registers the synthetic model with the app's pool, from a provider (before the pool starts). */
function syntheticModelModule(
  poolService: typeof import('../src/resources/model-pool/model-pool.service').ModelPoolService,
): DynamicModule {
  @Module({})
  class SyntheticModelModule {}
  return {
    module: SyntheticModelModule,
    controllers: [LoopDelayController],
    providers: [
      {
        provide: 'BENCH_SYNTHETIC_MODEL',
        inject: [poolService],
        useFactory: (pool: InstanceType<typeof poolService>) => {
          pool.registerWorkerLoader('synthetic', {
            module: require.resolve('./synthetic-cpu.worker-model'),
            methods: ['generate'],
          });
          pool.registerDefaultModels([
            {
              name: SYNTHETIC_MODEL,
              loader: 'synthetic',
              options: { ms: 20 },
              estimated_mb: 1,
              description: 'SYNTHETIC, bench only: burns ~20 ms of CPU per caption',
            },
          ]);
          return true;
        },
      },
    ],
  };
}

if (require.main === module) {
  loopDelay.enable();
  const { ModelPoolService } =
    require('../dist/resources/model-pool/model-pool.service') as typeof import('../src/resources/model-pool/model-pool.service');
  // createApp (dist/app.factory) calls AppModule.forRoot: the bench module joins its imports.
  const { AppModule } = require('../dist/app.module') as typeof import('../src/app.module');
  const forRoot = AppModule.forRoot.bind(AppModule);
  AppModule.forRoot = (...args: Parameters<typeof forRoot>): DynamicModule => {
    const module = forRoot(...args);
    const bench = syntheticModelModule(ModelPoolService);
    return { ...module, imports: [...(module.imports ?? []), bench] };
  };
  const { loadConfigOrExit } = require('../dist/main') as typeof import('../src/main');
  const { startServer } = require('../dist/server') as typeof import('../src/server');
  startServer(loadConfigOrExit()).catch((error: Error) => {
    console.error(`start-up failed: ${error.message}`);
    process.exit(1);
  });
}
