/**
 * Benchmark only: the built app (dist/) plus one trivial Nest controller,
 * GET /api/v14/bench-floor answering a constant object. The request passes every global hook,
 * pipe and filter of the app (request id, access log, metrics, in-flight count, security
 * headers) but does no work of its own: the framework floor of bench/http.bench.ts. Never part
 * of the service: the route exists only in this process.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { Controller, DynamicModule, Get, Module } from '@nestjs/common';

const FLOOR_BODY = { status: 'ok', service: 'bench-floor' };

@Controller('bench-floor')
class FloorController {
  @Get()
  floor(): typeof FLOOR_BODY {
    return FLOOR_BODY;
  }
}

/** The trivial route, on its own: bench/nest-floor.ts serves it on bare NestJS. */
@Module({ controllers: [FloorController] })
export class FloorModule {}

/** createApp (dist/app.factory) calls AppModule.forRoot: the floor module joins its imports. */
export function addFloorRoute(): void {
  const { AppModule } = require('../dist/app.module') as typeof import('../src/app.module');
  const forRoot = AppModule.forRoot.bind(AppModule);
  AppModule.forRoot = (...args: Parameters<typeof forRoot>): DynamicModule => {
    const module = forRoot(...args);
    return { ...module, imports: [...(module.imports ?? []), FloorModule] };
  };
}

/**
 * Starts the built app as dist/main.js does (configuration from the environment); resolves once
 * it listens, exits the process if it cannot start.
 */
export function startBuiltApp(): Promise<void> {
  const { loadConfigOrExit } = require('../dist/main') as typeof import('../src/main');
  const { startServer } = require('../dist/server') as typeof import('../src/server');
  return startServer(loadConfigOrExit()).then(
    () => undefined,
    (error: Error) => {
      console.error(`start-up failed: ${error.message}`);
      process.exit(1);
    },
  );
}

if (require.main === module) {
  addFloorRoute();
  void startBuiltApp();
}
