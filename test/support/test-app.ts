import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { AppConfig, validateConfig } from '../../src/config/app-config';

/** The real services these tests talk to (CI starts them; see .ci/run). */
export const TEST_DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN_KEY = 'test-admin-key-0123456789';

/** A unique, short suffix for database names and Redis key prefixes. */
export function uniqueSuffix(): string {
  return `${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A database URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates a fresh, empty database on the test server; `drop()` removes it. */
export async function createTestDatabase(): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const name = `captions_e2e_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(TEST_DATABASE_URL, name),
    name,
    drop: async () => {
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Sends a request through Fastify's inject (no socket). */
  request: NestFastifyApplication['inject'];
  close: () => Promise<void>;
}

/**
 * Boots the real app (every module, the real pools) with test defaults and `env` on top.
 * Each test file should pass its own DATABASE_URL (createTestDatabase) and REDIS_KEY_PREFIX.
 */
export async function bootTestApp(
  env: Record<string, string | undefined> = {},
  options: Parameters<typeof createApp>[1] = {},
): Promise<TestApp> {
  const config = validateConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_API_KEY: ADMIN_KEY,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `t${uniqueSuffix()}:`,
    DATABASE_POOL_SIZE: '2',
    DATABASE_MAX_OVERFLOW: '4',
    REDIS_POOL_SIZE: '2',
    ENABLE_MONITORING: 'false',
    // Out of the way of tests that send hundreds of requests from one address (malformed input,
    // batches, bad admin keys); test/rate-limit.e2e-spec.ts sets small limits of its own.
    RATE_LIMIT_CAPTIONS_MAX: '1000000',
    RATE_LIMIT_BATCH_MAX: '1000000',
    RATE_LIMIT_ADMIN_FAILURES_MAX: '1000000',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'captions-e2e-')),
    ...env,
  });
  const app = await createApp(config, options);
  return {
    app,
    config,
    request: app.inject.bind(app) as NestFastifyApplication['inject'],
    close: () => app.close(),
  };
}

/** Admin headers for requests. */
export const adminHeaders = { authorization: `Bearer ${ADMIN_KEY}` };

/** Polls `check` until it returns true or `timeoutMs` passes; resolves to the last result. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return check();
}

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * Boots the real app on a fresh database before the enclosing describe's tests and removes
 * both after them. The returned object forwards to the booted app, so tests read `t.request`.
 */
type TestEnv = Record<string, string | undefined>;

export function useTestApp(
  env: TestEnv | (() => TestEnv) = {},
): TestApp & { readonly database: TestDatabase } {
  let booted: TestApp | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    // A function is read only now, once what it names (e.g. an own redis-server) is up.
    booted = await bootTestApp({
      DATABASE_URL: database.url,
      ...(typeof env === 'function' ? env() : env),
    });
  });
  afterAll(async () => {
    await booted?.close();
    await database?.drop();
  });
  const current = (): TestApp => {
    if (!booted)
      throw new Error('the test app is not booted yet (use it inside tests or beforeAll)');
    return booted;
  };
  return {
    get app() {
      return current().app;
    },
    get config() {
      return current().config;
    },
    get database() {
      if (!database) throw new Error('the test database is not created yet');
      return database;
    },
    request: ((...args: Parameters<TestApp['request']>) =>
      current().request(...args)) as TestApp['request'],
    close: () => current().close(),
  };
}
