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
import { RESOURCE_PROFILES, RESOURCE_PROFILE_NAMES, ResourceProfile } from './resource-profiles';
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
 * Every environment variable the service reads, typed, with its default and unit.
 * `.env.example` lists the same variables; keep both in step.
 */
export class AppConfig {
  // ---- server ----------------------------------------------------------------------------
  /** `development` gives readable logs; `production` gives JSON lines. */
  @IsIn(['development', 'production', 'test']) NODE_ENV: 'development' | 'production' | 'test' =
    'development';
  /** HTTP port. Default 3000. */
  @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  /** Interface to bind. Default 0.0.0.0 (all). */
  @IsString() HOST: string = '0.0.0.0';
  /** pino level: fatal, error, warn, info, debug, trace, silent. Default info. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL: string = 'info';
  /** Largest request body accepted, bytes. Default 1 MiB. */
  @IsInt() @Min(1024) @Max(64 * 1024 * 1024) BODY_LIMIT_BYTES: number = 1024 * 1024;
  /** Largest body of POST /batch/jobs (up to 10,000 requests), bytes. Default 16 MiB. */
  @IsInt() @Min(1024) @Max(256 * 1024 * 1024) BATCH_BODY_LIMIT_BYTES: number = 16 * 1024 * 1024;
  /**
   * On SIGTERM, how long the server keeps accepting and serving while readiness answers 503, so
   * load balancers stop sending before it stops accepting, ms. Default 1000 (a developer's
   * Ctrl-C); the Kubernetes manifests and compose file set the real figure.
   */
  @IsInt() @Min(0) @Max(600_000) SHUTDOWN_DELAY_MS: number = 1000;
  /** After the delay, how long in-flight requests may take to finish, ms. Default 10000. */
  @IsInt() @Min(0) @Max(600_000) SHUTDOWN_GRACE_MS: number = 10_000;
  /**
   * Sizing preset: `small`, `medium` (the defaults) or `large`. It sets the pool and cache sizes
   * (see RESOURCE_PROFILES); a variable set explicitly still wins. Default medium.
   */
  @IsIn(RESOURCE_PROFILE_NAMES) RESOURCE_PROFILE: ResourceProfile = 'medium';
  /** A client must have sent its request headers within this, else 408 and the socket closes, ms. Default 10000. */
  @IsInt() @Min(100) @Max(600_000) SERVER_HEADERS_TIMEOUT_MS: number = 10_000;
  /** A client must have sent its whole request (headers and body) within this, else 408, ms. Default 30000. */
  @IsInt() @Min(100) @Max(3_600_000) SERVER_REQUEST_TIMEOUT_MS: number = 30_000;
  /**
   * An idle kept-alive socket is closed after this, ms. Keep it above the idle timeout of the
   * load balancer in front (60 s on common cloud balancers). Default 72000.
   */
  @IsInt() @Min(1000) @Max(3_600_000) SERVER_KEEP_ALIVE_TIMEOUT_MS: number = 72_000;
  /** Requests served on one socket before it is closed (0: unlimited). Default 1000. */
  @IsInt() @Min(0) @Max(1_000_000) SERVER_MAX_REQUESTS_PER_SOCKET: number = 1000;
  /** Key for admin endpoints. Unset: admin endpoints answer 403. Sensitive. */
  @IsOptional() @IsString() @MinLength(16) ADMIN_API_KEY?: string;
  /** Folder for local state (embedded PostgreSQL). Default ./data. */
  @IsString() DATA_DIR: string = './data';

  // ---- database --------------------------------------------------------------------------
  /** postgres://user:pass@host:port/db. Unset: embedded PostgreSQL under DATA_DIR. Sensitive. */
  @IsOptional() @IsConnectionUrl(['postgres:', 'postgresql:']) DATABASE_URL?: string;
  /**
   * Lets NODE_ENV=production run on the embedded PostgreSQL (one instance only: every replica
   * would get a database of its own). Default false: production without DATABASE_URL refuses
   * to start.
   */
  @Transform(toBool) @IsBoolean() ALLOW_EMBEDDED_DATABASE: boolean = false;
  /** Connections kept open (pg `min`). Default 20. */
  @IsInt() @Min(1) @Max(1000) DATABASE_POOL_SIZE: number = 20;
  /** Extra connections opened under load and closed when idle (pg `max` = size + overflow). Default 30. */
  @IsInt() @Min(0) @Max(1000) DATABASE_MAX_OVERFLOW: number = 30;
  /** Longest wait for a pooled connection, and to open a new one (pg uses one timeout for both), before 503, ms. Default 5000. */
  @IsInt() @Min(10) DATABASE_ACQUIRE_TIMEOUT_MS: number = 5000;
  /** Server-side statement timeout, ms. Default 30000. */
  @IsInt() @Min(100) DATABASE_STATEMENT_TIMEOUT_MS: number = 30_000;
  /** An overflow connection idle this long is closed, ms. Default 30000. */
  @IsInt() @Min(100) DATABASE_IDLE_TIMEOUT_MS: number = 30_000;
  /** Connection attempts at start-up before giving up (exponential backoff). Default 5. */
  @IsInt() @Min(1) @Max(100) DATABASE_CONNECT_RETRIES: number = 5;

  // ---- redis -----------------------------------------------------------------------------
  /** redis:// or rediss:// URL. Unset: no Redis (in-process cache only). Sensitive. */
  @IsOptional() @IsConnectionUrl(['redis:', 'rediss:']) REDIS_URL?: string;
  /** Command connections used in turn. Default 20. */
  @IsInt() @Min(1) @Max(256) REDIS_POOL_SIZE: number = 20;
  /** A command not answered within this fails, ms. Default 2000. */
  @IsInt() @Min(10) REDIS_COMMAND_TIMEOUT_MS: number = 2000;
  /** Time to connect, ms. Default 5000. */
  @IsInt() @Min(100) REDIS_CONNECT_TIMEOUT_MS: number = 5000;
  /** Prefix for every key this service writes. Default `captions:`. */
  @IsString() @Matches(/^[A-Za-z0-9:_-]{0,64}$/) REDIS_KEY_PREFIX: string = 'captions:';
  /** Sentinel mode: comma-separated host:port list (with REDIS_SENTINEL_NAME). */
  @IsOptional()
  @Transform(toList)
  @Matches(/^[^\s:]+:\d+$/, { each: true })
  REDIS_SENTINELS?: string[];
  /** Sentinel mode: the master group name. */
  @IsOptional() @IsString() REDIS_SENTINEL_NAME?: string;
  /** Cluster mode: comma-separated host:port seed nodes. */
  @IsOptional()
  @Transform(toList)
  @Matches(/^[^\s:]+:\d+$/, { each: true })
  REDIS_CLUSTER_NODES?: string[];

  // ---- outbound HTTP ---------------------------------------------------------------------
  /** Total deadline of one outbound request including retries, seconds. Default 30. */
  @IsInt() @Min(1) @Max(600) HTTP_TIMEOUT: number = 30;
  /** Sockets per agent across all hosts. Default 100. */
  @IsInt() @Min(1) @Max(10_000) HTTP_MAX_CONNECTIONS: number = 100;
  /** Retries of idempotent requests. Default 2. */
  @IsInt() @Min(0) @Max(10) HTTP_RETRIES: number = 2;
  /** Largest response body accepted, bytes. Default 10 MiB. */
  @IsInt() @Min(1024) HTTP_MAX_RESPONSE_BYTES: number = 10 * 1024 * 1024;
  /** Consecutive failures that open a host's circuit. Default 5. */
  @IsInt() @Min(1) HTTP_BREAKER_THRESHOLD: number = 5;
  /** How long an open circuit waits before a trial request, ms. Default 10000. */
  @IsInt() @Min(10) HTTP_BREAKER_HALF_OPEN_MS: number = 10_000;
  /** Idle keep-alive sockets are closed after this, ms (below common 5 s server timeouts). Default 4000. */
  @IsInt() @Min(100) HTTP_FREE_SOCKET_TIMEOUT_MS: number = 4000;

  // ---- models ----------------------------------------------------------------------------
  /** Most models loaded at once. Default 5. */
  @IsInt() @Min(1) @Max(100) MODEL_CACHE_SIZE: number = 5;
  /** Memory budget for loaded models, MB. Default 2048. */
  @IsInt() @Min(1) MODEL_MEMORY_LIMIT_MB: number = 2048;
  /** Path of a JSON model registry. Unset: the built-in registry. */
  @IsOptional() @IsString() MODEL_CONFIG?: string;
  /** Models loaded at start-up (comma-separated); probes wait for them. Default caption-local. */
  @Transform(toList)
  @Matches(MODEL_NAME_PATTERN, { each: true })
  MODEL_PRELOAD: string[] = ['caption-local'];
  /** Model used when the requested one fails. Default caption-local. */
  @Matches(MODEL_NAME_PATTERN) MODEL_FALLBACK: string = 'caption-local';
  /** A model unused this long is unloaded, seconds. Default 1800. */
  @IsInt() @Min(1) MODEL_IDLE_TTL: number = 1800;
  /** Loads running at once across models. Default 2. */
  @IsInt() @Min(1) @Max(32) MODEL_MAX_CONCURRENT_LOADS: number = 2;
  /** One load's deadline, ms. Default 60000. */
  @IsInt() @Min(100) MODEL_LOAD_TIMEOUT_MS: number = 60_000;
  /** OpenAI-compatible endpoint base URL (…/v1). Unset: the openai-compatible model is unavailable. */
  @IsOptional() @IsConnectionUrl(['http:', 'https:']) OPENAI_BASE_URL?: string;
  /** API key for that endpoint. Sensitive. */
  @IsOptional() @IsString() @MaxLength(512) OPENAI_API_KEY?: string;
  /** Model id on that endpoint. Default gpt-4o-mini. */
  @IsString() OPENAI_MODEL: string = 'gpt-4o-mini';

  // ---- cache -----------------------------------------------------------------------------
  /** Entries in the in-process cache. Default 10000. */
  @IsInt() @Min(1) @Max(10_000_000) CACHE_SIZE: number = 10_000;
  /** Default entry lifetime, seconds. Default 3600. */
  @IsInt() @Min(1) CACHE_TTL: number = 3600;
  /** Byte cap of the in-process cache. Default 64 MiB. */
  @IsInt() @Min(1024) CACHE_MAX_BYTES: number = 64 * 1024 * 1024;
  /** Largest single value, bytes of JSON. Default 1 MiB. */
  @IsInt() @Min(16) CACHE_MAX_VALUE_BYTES: number = 1024 * 1024;
  /** Namespace of cache keys in Redis and of invalidation messages. Default cache. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  @IsNotIn(RESERVED_REDIS_NAMESPACES, {
    message: 'CACHE_NAMESPACE must not be $value: the service keeps other keys under it in Redis',
  })
  CACHE_NAMESPACE: string = 'cache';

  // ---- file storage ----------------------------------------------------------------------
  /** Folder of the file storage resource. Unset: <DATA_DIR>/storage. */
  @IsOptional() @IsString() @MinLength(1) STORAGE_DIR?: string;
  /** Most bytes the file storage may hold, MB; a write past it answers 507. Default 1024. */
  @IsInt() @Min(1) @Max(16_777_216) STORAGE_QUOTA_MB: number = 1024;
  /** Expired files are removed this often (and at start), seconds. Default 300. */
  @IsInt() @Min(1) @Max(86_400) STORAGE_CLEANUP_INTERVAL_S: number = 300;

  // ---- monitoring ------------------------------------------------------------------------
  /** Scheduled metrics and health jobs. Default true. */
  @Transform(toBool) @IsBoolean() ENABLE_MONITORING: boolean = true;
  /** Metrics snapshot period, seconds. Default 60. */
  @IsInt() @Min(1) METRICS_INTERVAL: number = 60;
  /** Scheduled health check period, seconds. Default 30. */
  @IsInt() @Min(1) HEALTH_CHECK_INTERVAL: number = 30;

  // ---- rate limits (per client; shared through Redis when configured) --------------------
  /** Rate limits on the caption and batch routes and on failed admin keys. Default true. */
  @Transform(toBool) @IsBoolean() RATE_LIMIT_ENABLED: boolean = true;
  /** Requests per client per window on /captions routes. Default 120. */
  @IsInt() @Min(1) RATE_LIMIT_CAPTIONS_MAX: number = 120;
  /** That window, ms. Default 60000. */
  @IsInt() @Min(1000) @Max(86_400_000) RATE_LIMIT_CAPTIONS_WINDOW_MS: number = 60_000;
  /** Requests per client per window on /batch routes (a batch is up to 100 captions). Default 60. */
  @IsInt() @Min(1) RATE_LIMIT_BATCH_MAX: number = 60;
  /** That window, ms. Default 60000. */
  @IsInt() @Min(1000) @Max(86_400_000) RATE_LIMIT_BATCH_WINDOW_MS: number = 60_000;
  /**
   * Failed admin authentications per client per window; past it every admin call from that
   * client answers 429 until the window ends. Default 10.
   */
  @IsInt() @Min(1) RATE_LIMIT_ADMIN_FAILURES_MAX: number = 10;
  /** That window, ms. Default 900000 (15 minutes). */
  @IsInt() @Min(1000) @Max(86_400_000) RATE_LIMIT_ADMIN_FAILURES_WINDOW_MS: number = 900_000;
  /**
   * Whose X-Forwarded-For to believe for the client address (rate limits, audit log): `false`,
   * `true` (any: only behind a proxy that overwrites the header), a hop count, or proxy
   * addresses / CIDRs, comma-separated. Default false: without a proxy a client could spoof it.
   */
  @Matches(TRUST_PROXY_PATTERN) TRUST_PROXY: string = 'false';

  get databaseEmbedded(): boolean {
    return !this.DATABASE_URL;
  }

  get redisEnabled(): boolean {
    return Boolean(
      this.REDIS_URL || this.REDIS_SENTINELS?.length || this.REDIS_CLUSTER_NODES?.length,
    );
  }
}

/** Optional variables have no default, so they are not own keys of a fresh AppConfig. */
export const OPTIONAL_VARIABLES = [
  'ADMIN_API_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_CLUSTER_NODES',
  'MODEL_CONFIG',
  'STORAGE_DIR',
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
];

/** Variables whose values must never be printed. */
export const SENSITIVE_VARIABLES = [
  'ADMIN_API_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'OPENAI_API_KEY',
] as const;

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
  const known = new Set([...Object.keys(new AppConfig()), ...OPTIONAL_VARIABLES]);
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (known.has(key) && value !== undefined && value.trim() !== '') raw[key] = value.trim();
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
        return (SENSITIVE_VARIABLES as readonly string[]).includes(e.property)
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
