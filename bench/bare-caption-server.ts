/**
 * The own-work floor of POST /api/v14/captions/generate for bench/http.bench.ts: what the route
 * cannot do without, on bare Fastify 5 with raw clients (no NestJS, no logging, no hooks, none
 * of the app's per-request features), so a run shows how much of the app's cost is the route's
 * own work and how much is the service around it.
 *
 *   PORT=3002 DATABASE_URL=... REDIS_URL=... BENCH_REDIS_PREFIX=bench1: \
 *     node -r @swc-node/register bench/bare-caption-server.ts      (after `npm run build`)
 *
 * Taken from the built app (dist/), so it cannot drift from it: the route schemas (ajv with the
 * app's keywords validates the body, fast-json-stringify writes the answer), the request key,
 * the caption-local model, the captions insert (the app's repository on a raw pg Pool: the same
 * named statement and values) and the L1 and lease settings. The captions table must exist:
 * the bench starts this server once the app, which migrates the database, is ready.
 *
 * Per request (both paths run one handler; the app's route is one route too, and a body is
 * uncached because no earlier one had its key):
 *   - L1: an lru-cache LRUCache configured like the app's; a hit answers `cached: true`.
 *   - a miss: GET + PTTL of the value key and SET NX PX of the lease key, then the model and the
 *     insert, then SET PX of the value and the lease's release (EVALSHA of compare-and-delete,
 *     EVAL on NOSCRIPT), not awaited by the answer, as in the app. One ioredis connection with
 *     auto-pipelining (the app's command connections have it on): the read and the lease go out
 *     together, as do the write and the release: the fewest round trips those commands need,
 *     as the app sends them (tiered-cache.lease.ts). The lease release is the app's function.
 * Keys are the app's layout under BENCH_REDIS_PREFIX (`<prefix>cache:caption:<key>`), which the
 * bench's cleanup deletes.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { randomUUID } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { Pool } from 'pg';
import type { CaptionView } from '../src/captions/caption.types';
import type { GenerateCaptionBody } from '../src/captions/schemas/generate-caption.schema';
import type { CaptionModel } from '../src/captions/models/caption-model.types';
import type { DatabaseService } from '../src/resources/database/database.service';

const { AppConfig } =
  require('../dist/config/app-config') as typeof import('../src/config/app-config');
const { CAPTION_LEASE, captionRequestKey, toCaptionRequest } =
  require('../dist/captions/captions.service') as typeof import('../src/captions/captions.service');
const { CaptionsRepository } =
  require('../dist/captions/captions.repository') as typeof import('../src/captions/captions.repository');
const { GenerateCaptionBodySchema } =
  require('../dist/captions/schemas/generate-caption.schema') as typeof import('../src/captions/schemas/generate-caption.schema');
const { CaptionSchema } =
  require('../dist/captions/schemas/caption.schema') as typeof import('../src/captions/schemas/caption.schema');
const { compileBodySchema } =
  require('../dist/common/validation/request-ajv') as typeof import('../src/common/validation/request-ajv');
const { forRouteValidation } =
  require('../dist/common/validation/validated-later') as typeof import('../src/common/validation/validated-later');
const { toQueryConfig } =
  require('../dist/resources/database/database.statements') as typeof import('../src/resources/database/database.statements');
const { WinkCaptionLoader } =
  require('../dist/captions/models/wink-caption.loader') as typeof import('../src/captions/models/wink-caption.loader');
const { round } = require('../dist/common/util/round') as typeof import('../src/common/util/round');
const { releaseLease } =
  require('../dist/resources/cache/tiered-cache.lease') as typeof import('../src/resources/cache/tiered-cache.lease');

const API = '/api/v14';
/** The app's defaults: the same L1 bounds and lifetime, the same default model. */
const config = new AppConfig();
const TTL_MS = config.CACHE_TTL * 1000;

/** The app's layout: `<REDIS_KEY_PREFIX><CACHE_NAMESPACE>:<key>`. */
const keyBase = `${process.env.BENCH_REDIS_PREFIX ?? 'bench-bare:'}${config.CACHE_NAMESPACE}:`;
/** Lease tokens are unique across instances, as the app's are. */
const instanceId = randomUUID();
let leaseSeq = 0;

/** Like the app's L1Store: entry count and byte caps, TTL, and no purge timer per entry. */
const l1 = new LRUCache<string, CaptionView>({
  max: config.CACHE_SIZE,
  maxSize: config.CACHE_MAX_BYTES,
  ttl: TTL_MS,
  ttlAutopurge: false,
});

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  enableAutoPipelining: true,
  maxRetriesPerRequest: 1,
  lazyConnect: true,
});
/** The app's repository over a raw pg Pool: the insert's statement, values and row mapping. */
const database = {
  query: async (statement: Parameters<typeof toQueryConfig>[0], values?: unknown[]) =>
    (await pool.query(toQueryConfig(statement, values))).rows,
} as unknown as DatabaseService;
const repository = new CaptionsRepository(database);

/** A failed write after the answer: on stderr, which the bench shows if the server dies. */
function logFailure(error: Error): void {
  console.error(`redis: ${error.message}`);
}

/** The value from an L2 envelope `{"g":graceMs,"v":value}` the app (or this server) wrote. */
function envelopeValue(raw: string | null): CaptionView | undefined {
  return raw === null ? undefined : (JSON.parse(raw) as { v: CaptionView }).v;
}

/**
 * An L1 miss: the L2 read and the lease together, then (the L2 missed) the model and the
 * insert; the value is stored in L1 and, after the answer, in L2 followed by the release. A
 * lease another holder has is not waited for: this server's bodies are never generated twice.
 */
async function generateUncached(
  model: CaptionModel,
  dto: GenerateCaptionBody,
  key: string,
  started: number,
): Promise<CaptionView> {
  const valueKey = `${keyBase}caption:${key}`;
  const leaseKey = `${keyBase}!lease:caption:${key}`;
  const token = `${instanceId}:${++leaseSeq}`;
  const [raw, , lease] = await Promise.all([
    redis.get(valueKey),
    redis.pttl(valueKey),
    redis.set(leaseKey, token, 'PX', CAPTION_LEASE.ttlMs, 'NX'),
  ]);
  const hit = envelopeValue(raw);
  if (hit !== undefined) {
    if (lease === 'OK') void releaseLease(redis, leaseKey, token).catch(logFailure);
    return hit;
  }
  const result = await model.generate(toCaptionRequest(dto));
  const generation = { ...result, model: config.MODEL_FALLBACK, fallback: false };
  const ms = round(performance.now() - started, 3);
  const json = JSON.stringify(await repository.insert(dto, key, generation, ms));
  // What callers get is the JSON-normalised copy a later hit returns, as in the app.
  const stored = JSON.parse(json) as CaptionView;
  l1.set(key, stored, { size: Buffer.byteLength(json) });
  void redis.set(valueKey, `{"g":0,"v":${json}}`, 'PX', TTL_MS).catch(logFailure);
  // In the same write: one connection runs its commands in order, so the value lands first.
  if (lease === 'OK') void releaseLease(redis, leaseKey, token).catch(logFailure);
  return stored;
}

function generateHandler(model: CaptionModel) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const dto = request.body as GenerateCaptionBody;
    const key = captionRequestKey(dto, config.MODEL_FALLBACK);
    const cached = l1.get(key);
    const view = cached ?? (await generateUncached(model, dto, key, started));
    void reply.code(201);
    return {
      ...view,
      cached: cached !== undefined,
      processing_time_ms: round(performance.now() - started, 3),
    };
  };
}

/** The app's route schema of POST /captions/generate (ApiRoute), validated by the app's ajv. */
const generateSchema = {
  body: forRouteValidation(GenerateCaptionBodySchema),
  response: { 201: CaptionSchema },
};

async function main(): Promise<void> {
  const model = await new WinkCaptionLoader().load(
    { name: config.MODEL_FALLBACK, loader: 'wink', options: {}, estimated_mb: 0 },
    new AbortController().signal,
  );
  await redis.connect();
  await pool.query('SELECT 1 FROM captions LIMIT 1'); // the app has migrated
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(({ schema }) => compileBodySchema(schema));
  const handler = generateHandler(model);
  app.post(`${API}/captions/generate`, { schema: generateSchema }, handler);
  // The same handler: a path of its own keeps the uncached target apart in a profile.
  app.post(`${API}/captions/generate-uncached`, { schema: generateSchema }, handler);
  app.get('/ready', async () => ({ status: 'ok' }));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void shutdown(app).then(() => process.exit(0)));
  }
  console.log(
    `listening ${await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })}`,
  );
}

async function shutdown(app: { close: () => Promise<unknown> }): Promise<void> {
  await app.close();
  await Promise.allSettled([pool.end(), redis.quit()]);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
