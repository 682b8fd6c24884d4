/**
 * Benchmark only: NestJS 11 on its FastifyAdapter with one trivial controller and nothing of
 * this app (no hooks, no logging, no metrics): GET /api/v14/bench-floor answering a constant
 * object. Between bare Fastify and the app's own trivial route (bench/app-floor.ts) in
 * bench/http.bench.ts, it separates the framework's share of a request from the app's.
 *
 *   PORT=3001 node -r @swc-node/register bench/nest-floor.ts
 */
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { FloorModule as NestFloorModule } from './app-floor';

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    NestFloorModule,
    new FastifyAdapter(),
    { logger: false },
  );
  app.setGlobalPrefix('api/v14');
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void app.close().then(() => process.exit(0)));
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
