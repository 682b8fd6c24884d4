import { Transform, plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotIn,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { IsConnectionUrl } from './is-connection-url.validator';
import {
  RESOURCE_PROFILES,
  RESOURCE_PROFILE_NAMES,
  ResourceProfile,
  describeResourceProfiles,
} from './resource-profiles';
import type { ConfigSection } from './config-sections';
import { Variable, declaredVariables } from './variable.decorator';
import { TRUST_PROXY_PATTERN } from '../common/rate-limit/trust-proxy';
import { MODEL_NAME_PATTERN } from '../resources/model-pool/model-pool.constants';
import { RESERVED_REDIS_NAMESPACES } from '../resources/redis/redis.keys';

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];
/** Parses true/false words; anything else stays a string so validation names it. */
type TransformInput = { key: string; obj: Record<string, unknown> };

/**
 * Transforms read the raw string (`obj[key]`), not `value`: with implicit conversion on,
 * `value` has already been through Boolean()/Array(), which would turn "false" into true.
 */
const toBool = ({ key, obj }: TransformInput) => {
  const value = obj[key];
  if (typeof value !== 'string') return value;
  if (TRUE_WORDS.includes(value.toLowerCase())) return true;
  if (FALSE_WORDS.includes(value.toLowerCase())) return false;
  return value;
};

/** Splits a comma-separated list, dropping blanks. */
const toList = ({ key, obj }: TransformInput) => {
  const value = obj[key];
  if (typeof value !== 'string') return value;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
};

/**
 * Every environment variable the service reads: one declaration each, with its type and
 * validation (class-validator), its default (the initialiser; none means optional) and its
 * documentation (@Variable). `.env.example` and the README's configuration table are generated
 * from here by `npm run config:docs`; config-docs.spec.ts fails when they drift.
 */
export class AppConfig {
  @Variable({
    section: 'server',
    doc: '`development` (readable logs), `production` (JSON lines) or `test`.',
  })
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Variable({ section: 'server', doc: 'HTTP port.' })
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @Variable({ section: 'server', doc: 'Interface to bind; 0.0.0.0 is all of them.' })
  @IsString()
  HOST: string = '0.0.0.0';

  @Variable({
    section: 'server',
    doc: 'pino level: fatal, error, warn, info, debug, trace or silent.',
  })
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @Variable({ section: 'server', doc: 'Largest request body accepted, bytes.' })
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  @Variable({
    section: 'server',
    doc: 'Largest body of POST /batch/jobs (up to 10,000 requests), bytes.',
  })
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  BATCH_BODY_LIMIT_BYTES: number = 16 * 1024 * 1024;

  @Variable({
    section: 'server',
    doc: "On SIGTERM, how long the server keeps accepting and serving while readiness answers 503, so load balancers stop sending before it stops accepting, ms. The default suits a developer's Ctrl-C; the Kubernetes manifests and the compose file set the real figure.",
  })
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_DELAY_MS: number = 1000;

  @Variable({
    section: 'server',
    doc: 'After that delay, how long in-flight requests may take to finish, ms.',
  })
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS: number = 10_000;

  @Variable({
    section: 'server',
    doc: `Sizing preset: small, medium (the defaults) or large; a variable set explicitly still wins. ${describeResourceProfiles()}.`,
  })
  @IsIn(RESOURCE_PROFILE_NAMES)
  RESOURCE_PROFILE: ResourceProfile = 'medium';

  @Variable({
    section: 'server',
    doc: 'A client must have sent its request headers within this, else 408 and the socket closes (slowloris), ms. At most SERVER_REQUEST_TIMEOUT_MS.',
  })
  @IsInt()
  @Min(100)
  @Max(600_000)
  SERVER_HEADERS_TIMEOUT_MS: number = 10_000;

  @Variable({
    section: 'server',
    doc: 'A client must have sent its whole request (headers and body) within this, else 408, ms.',
  })
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  SERVER_REQUEST_TIMEOUT_MS: number = 30_000;

  @Variable({
    section: 'server',
    doc: 'An idle kept-alive socket is closed after this, ms. Keep it above the idle timeout of the load balancer in front (60 s on common cloud balancers).',
  })
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  SERVER_KEEP_ALIVE_TIMEOUT_MS: number = 72_000;

  @Variable({
    section: 'server',
    doc: 'Requests served on one socket before it is closed (the last answer says `Connection: close`); 0 is unlimited.',
  })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SERVER_MAX_REQUESTS_PER_SOCKET: number = 1000;

  @Variable({
    section: 'server',
    doc: 'Key for the admin endpoints (Bearer token or x-api-key), 16 characters or more. Unset: admin endpoints answer 403.',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  ADMIN_API_KEY?: string;

  @Variable({
    section: 'server',
    doc: 'Folder for local state (the embedded PostgreSQL keeps its files in DATA_DIR/pglite).',
  })
  @IsString()
  DATA_DIR: string = './data';

  @Variable({
    section: 'database',
    doc: 'postgres://user:password@host:5432/db. Unset: embedded PostgreSQL (PGlite) under DATA_DIR, refused when NODE_ENV=production unless ALLOW_EMBEDDED_DATABASE=true.',
    sensitive: true,
    example: 'postgres://postgres@127.0.0.1:5432/captions',
  })
  @IsOptional()
  @IsConnectionUrl(['postgres:', 'postgresql:'])
  DATABASE_URL?: string;

  @Variable({
    section: 'database',
    doc: 'Lets NODE_ENV=production run on the embedded PostgreSQL (one instance only: every replica would get a database of its own). False: production without DATABASE_URL refuses to start.',
  })
  @Transform(toBool)
  @IsBoolean()
  ALLOW_EMBEDDED_DATABASE: boolean = false;

  @Variable({
    section: 'database',
    doc: 'Connections opened at start-up and kept open (pg `min`).',
  })
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE: number = 20;

  @Variable({
    section: 'database',
    doc: 'Extra connections opened under load and closed when idle (pg `max` = size + overflow).',
  })
  @IsInt()
  @Min(0)
  @Max(1000)
  DATABASE_MAX_OVERFLOW: number = 30;

  @Variable({
    section: 'database',
    doc: 'Longest wait for a pooled connection, and to open a new one (pg uses one timeout for both), before 503 + Retry-After, ms.',
  })
  @IsInt()
  @Min(10)
  DATABASE_ACQUIRE_TIMEOUT_MS: number = 5000;

  @Variable({ section: 'database', doc: 'Server-side statement timeout, ms.' })
  @IsInt()
  @Min(100)
  DATABASE_STATEMENT_TIMEOUT_MS: number = 30_000;

  @Variable({ section: 'database', doc: 'An overflow connection idle this long is closed, ms.' })
  @IsInt()
  @Min(100)
  DATABASE_IDLE_TIMEOUT_MS: number = 30_000;

  @Variable({
    section: 'database',
    doc: 'Connection attempts at start-up (exponential backoff) before giving up.',
  })
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_CONNECT_RETRIES: number = 5;

  @Variable({
    section: 'redis',
    doc: 'redis://[:password@]host:6379[/db] or rediss://... Unset: no Redis (the cache keeps its second level on disk, in the file storage; Redis reported `disabled`).',
    sensitive: true,
    example: 'redis://127.0.0.1:6379',
  })
  @IsOptional()
  @IsConnectionUrl(['redis:', 'rediss:'])
  REDIS_URL?: string;

  @Variable({ section: 'redis', doc: 'Command connections used in turn (plus one subscriber).' })
  @IsInt()
  @Min(1)
  @Max(256)
  REDIS_POOL_SIZE: number = 20;

  @Variable({ section: 'redis', doc: 'A command not answered within this fails, ms.' })
  @IsInt()
  @Min(10)
  REDIS_COMMAND_TIMEOUT_MS: number = 2000;

  @Variable({ section: 'redis', doc: 'Time allowed to connect, ms.' })
  @IsInt()
  @Min(100)
  REDIS_CONNECT_TIMEOUT_MS: number = 5000;

  @Variable({
    section: 'redis',
    doc: 'Prefix of every key this service writes; instances with the same prefix share rate-limit windows and cache.',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]{0,64}$/)
  REDIS_KEY_PREFIX: string = 'captions:';

  @Variable({
    section: 'redis',
    doc: 'Sentinel mode: comma-separated host:port list, with REDIS_SENTINEL_NAME (the password comes from REDIS_URL if set).',
    example: 'sentinel-1:26379,sentinel-2:26379',
  })
  @IsOptional()
  @Transform(toList)
  @Matches(/^[^\s:]+:\d+$/, { each: true })
  REDIS_SENTINELS?: string[];

  @Variable({ section: 'redis', doc: 'Sentinel mode: the master group name.', example: 'mymaster' })
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_NAME?: string;

  @Variable({
    section: 'redis',
    doc: 'Cluster mode: comma-separated host:port seed nodes.',
    example: 'redis-1:6379,redis-2:6379',
  })
  @IsOptional()
  @Transform(toList)
  @Matches(/^[^\s:]+:\d+$/, { each: true })
  REDIS_CLUSTER_NODES?: string[];

  @Variable({
    section: 'http',
    doc: 'Total deadline of one outbound request including retries, seconds.',
  })
  @IsInt()
  @Min(1)
  @Max(600)
  HTTP_TIMEOUT: number = 30;

  @Variable({ section: 'http', doc: 'Sockets per agent across all hosts.' })
  @IsInt()
  @Min(1)
  @Max(10_000)
  HTTP_MAX_CONNECTIONS: number = 100;

  @Variable({ section: 'http', doc: 'Retries of idempotent requests.' })
  @IsInt()
  @Min(0)
  @Max(10)
  HTTP_RETRIES: number = 2;

  @Variable({ section: 'http', doc: 'Largest response body accepted, bytes.' })
  @IsInt()
  @Min(1024)
  HTTP_MAX_RESPONSE_BYTES: number = 10 * 1024 * 1024;

  @Variable({ section: 'http', doc: "Consecutive failures that open a host's circuit." })
  @IsInt()
  @Min(1)
  HTTP_BREAKER_THRESHOLD: number = 5;

  @Variable({ section: 'http', doc: 'How long an open circuit waits before a trial request, ms.' })
  @IsInt()
  @Min(10)
  HTTP_BREAKER_HALF_OPEN_MS: number = 10_000;

  @Variable({
    section: 'http',
    doc: 'Idle keep-alive sockets are closed after this (below common 5 s server timeouts), ms.',
  })
  @IsInt()
  @Min(100)
  HTTP_FREE_SOCKET_TIMEOUT_MS: number = 4000;

  @Variable({ section: 'models', doc: 'Most models loaded at once.' })
  @IsInt()
  @Min(1)
  @Max(100)
  MODEL_CACHE_SIZE: number = 5;

  @Variable({ section: 'models', doc: 'Memory budget for loaded models, MB.' })
  @IsInt()
  @Min(1)
  MODEL_MEMORY_LIMIT_MB: number = 2048;

  @Variable({
    section: 'models',
    doc: 'Path of a JSON model registry. Unset: the built-in registry (caption-local, openai-compatible).',
    example: './models.json',
  })
  @IsOptional()
  @IsString()
  MODEL_CONFIG?: string;

  @Variable({
    section: 'models',
    doc: 'Models loaded at start-up, comma-separated; probes wait for them.',
  })
  @Transform(toList)
  @Matches(MODEL_NAME_PATTERN, { each: true })
  MODEL_PRELOAD: string[] = ['caption-local'];

  @Variable({ section: 'models', doc: 'Model used when the requested one fails.' })
  @Matches(MODEL_NAME_PATTERN)
  MODEL_FALLBACK: string = 'caption-local';

  @Variable({ section: 'models', doc: 'A model unused this long is unloaded, seconds.' })
  @IsInt()
  @Min(1)
  MODEL_IDLE_TTL: number = 1800;

  @Variable({ section: 'models', doc: 'Loads running at once across models.' })
  @IsInt()
  @Min(1)
  @Max(32)
  MODEL_MAX_CONCURRENT_LOADS: number = 2;

  @Variable({ section: 'models', doc: "One load's deadline, ms." })
  @IsInt()
  @Min(100)
  MODEL_LOAD_TIMEOUT_MS: number = 60_000;

  @Variable({
    section: 'models',
    doc: 'Worker threads per loaded model that runs in workers (each holds its own copy). Unset: CPU cores - 1, at least 1; 0 runs every model inline.',
    example: '1',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(64)
  MODEL_WORKERS?: number;

  @Variable({
    section: 'models',
    doc: "Calls that may wait for a worker model's busy threads; past it 503 with Retry-After.",
  })
  @IsInt()
  @Min(0)
  @Max(100_000)
  MODEL_WORKER_QUEUE: number = 64;

  @Variable({
    section: 'models',
    doc: 'Deadline of one call of a worker model (queue wait included), ms; past it the call fails (503, or the fallback) and its thread is replaced.',
  })
  @IsInt()
  @Min(10)
  MODEL_INFERENCE_TIMEOUT_MS: number = 30_000;

  @Variable({
    section: 'models',
    doc: 'Heap limit of each model worker thread, MB: a model past it ends its thread (replaced), not the service. Unset: V8 default.',
    example: '512',
  })
  @IsOptional()
  @IsInt()
  @Min(16)
  MODEL_WORKER_MAX_HEAP_MB?: number;

  @Variable({
    section: 'models',
    doc: "Niceness added to each model worker thread (0-19; Linux nice is per thread): a busy model yields a contended core to the event loop, so cached requests and probes keep their latency. 0: the main thread's priority.",
  })
  @IsInt()
  @Min(0)
  @Max(19)
  MODEL_WORKER_NICE: number = 10;

  @Variable({
    section: 'models',
    doc: 'Base URL (.../v1) of an OpenAI-compatible endpoint: OpenAI, vLLM, Ollama, llama.cpp server. Unset: the `openai-compatible` model is unavailable.',
    example: 'http://127.0.0.1:11434/v1',
  })
  @IsOptional()
  @IsConnectionUrl(['http:', 'https:'])
  OPENAI_BASE_URL?: string;

  @Variable({ section: 'models', doc: 'API key for that endpoint.', sensitive: true })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  OPENAI_API_KEY?: string;

  @Variable({ section: 'models', doc: 'Model id on that endpoint.' })
  @IsString()
  OPENAI_MODEL: string = 'gpt-4o-mini';

  @Variable({ section: 'cache', doc: 'Entries in the in-process cache.' })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  CACHE_SIZE: number = 10_000;

  @Variable({ section: 'cache', doc: 'Default entry lifetime, seconds.' })
  @IsInt()
  @Min(1)
  CACHE_TTL: number = 3600;

  @Variable({ section: 'cache', doc: 'Byte cap of the in-process cache.' })
  @IsInt()
  @Min(1024)
  CACHE_MAX_BYTES: number = 64 * 1024 * 1024;

  @Variable({ section: 'cache', doc: 'Largest single value, bytes of JSON.' })
  @IsInt()
  @Min(16)
  CACHE_MAX_VALUE_BYTES: number = 1024 * 1024;

  @Variable({
    section: 'cache',
    doc: `Namespace of cache keys in Redis and of invalidation messages. Not ${RESERVED_REDIS_NAMESPACES.join(' or ')}: other parts of the service keep keys there, and a cache clear deletes its whole namespace.`,
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  @IsNotIn(RESERVED_REDIS_NAMESPACES, {
    message: 'CACHE_NAMESPACE must not be $value: the service keeps other keys under it in Redis',
  })
  CACHE_NAMESPACE: string = 'cache';

  @Variable({
    section: 'storage',
    doc: 'Folder of the file storage resource. Unset: DATA_DIR/storage.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  STORAGE_DIR?: string;

  @Variable({
    section: 'storage',
    doc: 'Most the file storage may hold, MB; a write past it answers 507.',
  })
  @IsInt()
  @Min(1)
  @Max(16_777_216)
  STORAGE_QUOTA_MB: number = 1024;

  @Variable({
    section: 'storage',
    doc: 'Expired files (written with a lifetime) are removed this often and at start, seconds.',
  })
  @IsInt()
  @Min(1)
  @Max(86_400)
  STORAGE_CLEANUP_INTERVAL_S: number = 300;

  @Variable({ section: 'monitoring', doc: 'Scheduled metrics and health jobs.' })
  @Transform(toBool)
  @IsBoolean()
  ENABLE_MONITORING: boolean = true;

  @Variable({ section: 'monitoring', doc: 'Metrics snapshot period, seconds.' })
  @IsInt()
  @Min(1)
  METRICS_INTERVAL: number = 60;

  @Variable({ section: 'monitoring', doc: 'Scheduled health check period, seconds.' })
  @IsInt()
  @Min(1)
  HEALTH_CHECK_INTERVAL: number = 30;

  @Variable({
    section: 'rate-limits',
    doc: 'Per-client rate limits on the caption and batch routes and on failed admin keys.',
  })
  @Transform(toBool)
  @IsBoolean()
  RATE_LIMIT_ENABLED: boolean = true;

  @Variable({ section: 'rate-limits', doc: 'Requests per client per window on /captions routes.' })
  @IsInt()
  @Min(1)
  RATE_LIMIT_CAPTIONS_MAX: number = 120;

  @Variable({ section: 'rate-limits', doc: 'The window of RATE_LIMIT_CAPTIONS_MAX, ms.' })
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RATE_LIMIT_CAPTIONS_WINDOW_MS: number = 60_000;

  @Variable({
    section: 'rate-limits',
    doc: 'Requests per client per window on /batch routes (a batch is up to 100 captions).',
  })
  @IsInt()
  @Min(1)
  RATE_LIMIT_BATCH_MAX: number = 60;

  @Variable({ section: 'rate-limits', doc: 'The window of RATE_LIMIT_BATCH_MAX, ms.' })
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RATE_LIMIT_BATCH_WINDOW_MS: number = 60_000;

  @Variable({
    section: 'rate-limits',
    doc: 'Failed admin authentications per client per window; past it every admin call from that client answers 429 until the window ends.',
  })
  @IsInt()
  @Min(1)
  RATE_LIMIT_ADMIN_FAILURES_MAX: number = 10;

  @Variable({
    section: 'rate-limits',
    doc: 'The window of RATE_LIMIT_ADMIN_FAILURES_MAX, ms (the default is 15 minutes).',
  })
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RATE_LIMIT_ADMIN_FAILURES_WINDOW_MS: number = 900_000;

  @Variable({
    section: 'rate-limits',
    doc: 'Whose X-Forwarded-For to believe for the client address (rate limits, audit log): `false`, `true` (any: only behind a proxy that overwrites the header), a hop count, or proxy addresses / CIDRs, comma-separated. Keep `false` without a proxy in front: clients could pick their own address.',
  })
  @Matches(TRUST_PROXY_PATTERN)
  TRUST_PROXY: string = 'false';

  get databaseEmbedded(): boolean {
    return !this.DATABASE_URL;
  }

  get redisEnabled(): boolean {
    return Boolean(
      this.REDIS_URL || this.REDIS_SENTINELS?.length || this.REDIS_CLUSTER_NODES?.length,
    );
  }
}

/** One environment variable as operators see it; `default` is undefined when it is optional. */
export interface ConfigVariable {
  name: string;
  default: unknown;
  optional: boolean;
  sensitive: boolean;
  doc: string;
  section: ConfigSection;
  example?: string;
}

/** Every variable AppConfig declares, in declaration order, with its default. */
export function configVariables(): ConfigVariable[] {
  const defaults = new AppConfig() as unknown as Record<string, unknown>;
  return declaredVariables(AppConfig).map(({ name, sensitive, ...doc }) => ({
    name,
    ...doc,
    default: defaults[name],
    optional: defaults[name] === undefined,
    sensitive: sensitive ?? false,
  }));
}

const namesOf = (variables: ConfigVariable[]) => variables.map((variable) => variable.name);

/** Variables without a default: unset unless the environment sets them. */
export const OPTIONAL_VARIABLES: readonly string[] = namesOf(
  configVariables().filter((variable) => variable.optional),
);

/** Variables whose values must never be printed (masked in errors, scrubbed from logs). */
export const SENSITIVE_VARIABLES: readonly string[] = namesOf(
  configVariables().filter((variable) => variable.sensitive),
);

const KNOWN_VARIABLES: ReadonlySet<string> = new Set(namesOf(configVariables()));

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates raw environment values into a typed AppConfig. Blank values count as unset.
 * Throws ConfigValidationError naming each bad variable, without echoing sensitive values.
 */
export function validateConfig(env: Record<string, string | undefined>): AppConfig {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (KNOWN_VARIABLES.has(key) && value !== undefined && value.trim() !== '')
      raw[key] = value.trim();
  }
  applyResourceProfile(raw);
  const config = plainToInstance(AppConfig, raw, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(
      errors.map((e) => {
        const message = firstMessage(e.constraints);
        return SENSITIVE_VARIABLES.includes(e.property)
          ? `${e.property} is invalid (${message.replace(/^\S+\s/, '')})`
          : `${e.property}=${JSON.stringify(raw[e.property])}: ${message}`;
      }),
    );
  }
  if (config.SERVER_HEADERS_TIMEOUT_MS > config.SERVER_REQUEST_TIMEOUT_MS) {
    throw new ConfigValidationError([
      `SERVER_HEADERS_TIMEOUT_MS=${config.SERVER_HEADERS_TIMEOUT_MS} must not exceed SERVER_REQUEST_TIMEOUT_MS=${config.SERVER_REQUEST_TIMEOUT_MS}`,
    ]);
  }
  const fleetProblems = productionProblems(config);
  if (fleetProblems.length > 0) throw new ConfigValidationError(fleetProblems);
  return config;
}

/**
 * Fills in the preset's sizes for every variable not set explicitly. An unknown profile name
 * is left for validation to name.
 */
function applyResourceProfile(raw: Record<string, string>): void {
  const preset = RESOURCE_PROFILES[raw.RESOURCE_PROFILE as ResourceProfile];
  if (!preset) return;
  for (const [variable, value] of Object.entries(preset)) raw[variable] ??= String(value);
}

/**
 * Settings that are fine on a laptop but silently break a fleet: refused in production unless
 * asked for explicitly (warnings below for the ones the contract allows).
 */
function productionProblems(config: AppConfig): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (config.databaseEmbedded && !config.ALLOW_EMBEDDED_DATABASE) {
    problems.push(
      'DATABASE_URL is required when NODE_ENV=production (without it each replica gets its own embedded database); set DATABASE_URL, or ALLOW_EMBEDDED_DATABASE=true for a single instance',
    );
  }
  return problems;
}

/** Type errors first: "abc" for a number should say "must be an integer", not "must be ≤ 1000". */
const TYPE_CONSTRAINTS = ['isInt', 'isBoolean', 'isIn', 'isConnectionUrl', 'isString', 'matches'];
function firstMessage(constraints: Record<string, string> = {}): string {
  const key = TYPE_CONSTRAINTS.find((k) => k in constraints) ?? Object.keys(constraints)[0];
  return key ? constraints[key] : 'is invalid';
}

/**
 * Production settings that the contract allows but that weaken a fleet of replicas: logged as
 * warnings at start-up, one line each, saying what is lost.
 */
export function productionWarnings(config: AppConfig): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const warnings: string[] = [];
  if (config.databaseEmbedded) {
    warnings.push(
      'embedded PostgreSQL in production (ALLOW_EMBEDDED_DATABASE=true): run exactly one instance; replicas would each keep their own data',
    );
  }
  if (!config.redisEnabled) {
    warnings.push(
      'REDIS_URL is not set: with more than one replica the cache, its invalidation and single flight are per instance; set REDIS_URL for a fleet',
    );
  }
  return warnings;
}
