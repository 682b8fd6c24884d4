import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createRequire } from 'node:module';

/*
 * @fastify/rate-limit, loaded without its type declarations: they add required members
 * (createRateLimit, rateLimit) to Fastify's instance type, after which the root Fastify's types
 * no longer match the copy that @nestjs/platform-fastify pins, and every Nest/Fastify boundary
 * in the app stops compiling. The few parts used here are typed below from its index.d.ts.
 */

/** A window's state as a store reports it: hits so far and the ms left. */
export interface WindowState {
  current: number;
  ttl: number;
}
export type StoreCallback = (error: Error | null, result?: WindowState) => void;

/** The plugin's store contract (`read` is needed for `{ increment: false }`). */
export interface RateLimitStore {
  incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void;
  read(key: string, callback: StoreCallback, timeWindow: number, max: number): void;
  child(options: LimitOptions): RateLimitStore;
}
export type RateLimitStoreClass = new (options: unknown) => RateLimitStore;

/** One limit: `groupId` names it (our stores key on it), `timeWindow` is ms. */
export interface LimitOptions {
  groupId?: string;
  max?: number;
  timeWindow?: number;
}

export type LimitState =
  | { isAllowed: true; key: string }
  | {
      isAllowed: false;
      key: string;
      max: number;
      timeWindow: number;
      remaining: number;
      /** ms left in the window (0 when the store failed and the check was skipped). */
      ttl: number;
      ttlInSeconds: number;
      isExceeded: boolean;
      isBanned: boolean;
    };
export type CountedState = Extract<LimitState, { isAllowed: false }>;

/** Counts a hit (or only reads, with `increment: false`) and says where the client stands. */
export type Limiter = (
  request: FastifyRequest,
  options?: { increment?: boolean },
) => Promise<LimitState>;

interface PluginOptions {
  /** false: only the limiters made with createRateLimit count; no route is limited by default. */
  global: boolean;
  /** A store error lets the request through (fail open). */
  skipOnError: boolean;
  /** Unset: the plugin's in-process LRU store. */
  store?: RateLimitStoreClass;
}

type NestFastifyPlugin = Parameters<NestFastifyApplication['register']>[0];
const rateLimitPlugin = createRequire(__filename)('@fastify/rate-limit') as NestFastifyPlugin;

/** Registers the plugin on the app's Fastify instance and returns its limiter factory. */
export async function registerRateLimitPlugin(
  app: NestFastifyApplication,
  options: PluginOptions,
): Promise<(limit: LimitOptions) => Limiter> {
  await app.register(rateLimitPlugin, options);
  const fastify = app.getHttpAdapter().getInstance() as unknown as {
    createRateLimit(limit: LimitOptions): Limiter;
  };
  return (limit) => fastify.createRateLimit(limit);
}

export type { FastifyReply, FastifyRequest };
