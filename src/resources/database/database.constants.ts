/** The database's one name: registry, health check key, metrics label, route segment. */
export const DATABASE_RESOURCE_NAME = 'database';

/** Injection token for the entities and migrations the DataSource is built with. */
export const DATABASE_SCHEMA = Symbol('DATABASE_SCHEMA');

/** pg_advisory_lock key held while migrations run, so instances starting together take turns. */
export const MIGRATION_LOCK_KEY = 7_140_014;

/**
 * A probe (SELECT 1) that takes longer than this counts as failed, ms. With readiness results
 * reused for at most 1 s (health.controller.ts), a hung database turns readiness 503 within 2 s.
 */
export const DATABASE_PROBE_TIMEOUT_MS = 1000;
