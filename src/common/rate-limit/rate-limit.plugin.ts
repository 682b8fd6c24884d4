import type { FastifyReply, FastifyRequest } from 'fastify';
import { createRequire } from 'node:module';

/*
 * What the service takes from @fastify/rate-limit: its store contract, its in-process store
 * (LocalStore) and its client key (normalizeIP). Not the plugin's limiter: the service calls the
 * stores itself (rate-limit.service.ts says why). Loaded without the package's type declarations:
 * they add required members (createRateLimit, rateLimit) to Fastify's instance type, after which
 * the root Fastify's types no longer match the copy that @nestjs/platform-fastify pins, and every
 * Nest/Fastify boundary in the app stops compiling. The parts used are typed below from its
 * index.d.ts and store/LocalStore.js (v11).
 */

/** A window's state as a store reports it: hits so far and the ms left (0: no window). */
export interface WindowState {
  current: number;
  ttl: number;
}
export type StoreCallback = (error: Error | null, result?: WindowState) => void;

/**
 * The plugin's store contract. `incr` counts a hit, `read` only looks; either may call back at
 * once (the in-process store always does, the Redis one for a hit from a leased slice).
 */
export interface RateLimitStore {
  incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void;
  read(key: string, callback: StoreCallback, timeWindow: number, max: number): void;
  /** The store of one limit: `groupId` names it (the Redis store keys on it). */
  child(options: { groupId: string }): RateLimitStore;
}

type LocalStoreClass = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => RateLimitStore;

const load = createRequire(__filename);
const LocalStore = load('@fastify/rate-limit/store/LocalStore') as LocalStoreClass;
const { normalizeIP } = load('@fastify/rate-limit') as {
  normalizeIP(ip: string, ipv6Subnet?: number): string;
};

/** The plugin's default: an IPv6 client is its /64, the block one subscriber is usually given. */
const IPV6_SUBNET = 64;

/**
 * The plugin's in-process store, as the plugin makes it by default: an LRU of 5000 clients per
 * limit (each `child` has its own), a fixed window per client, no ban and no backoff.
 */
export function localRateLimitStore(): RateLimitStore {
  return new LocalStore(false, false);
}

/**
 * The client a request counts against: the plugin's default key, the request's address (which
 * one TRUST_PROXY decides) normalized, IPv6 by /64. The plugin would append the route's
 * `config.rateLimit.groupId`; no route sets one, the limits being apart by their stores instead.
 */
export function clientKey(request: FastifyRequest): string {
  return normalizeIP(request.ip, IPV6_SUBNET);
}

export type { FastifyReply, FastifyRequest };
