import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { AppConfig, validateConfig } from '../../../config/app-config';
import { redisOptions } from '../../../config/resource-options';
import { RedisService } from '../../redis/redis.service';
import { ResourceRegistry } from '../../registry/resource-registry.service';
import { CacheLogger } from '../cache.types';

/** The Redis every developer machine and CI runner has (see DEVELOPERS.md). */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test file (or run) uses: `test:<name>:<random>:`. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomUUID().slice(0, 8)}:`;
}

/** A validated AppConfig built from environment-style strings. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return validateConfig({ NODE_ENV: 'test', ...env });
}

/** A real, initialised RedisService (small pool) on `url` with the given key prefix. */
export async function startRedisService(
  prefix: string,
  url = LOCAL_REDIS_URL,
  env: Record<string, string> = {},
): Promise<RedisService> {
  const config = testConfig({
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    REDIS_POOL_SIZE: '2',
    REDIS_COMMAND_TIMEOUT_MS: '500',
    REDIS_CONNECT_TIMEOUT_MS: '2000',
    ...env,
  });
  const redis = new RedisService(redisOptions(config), new ResourceRegistry());
  await redis.init().catch(() => undefined); // a dead server is a legitimate test set-up
  return redis;
}

/** Deletes every key under `prefix` (SCAN + UNLINK) with a throwaway connection. */
export async function deleteByPrefix(prefix: string, url = LOCAL_REDIS_URL): Promise<void> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
  await client.quit();
}

/** Polls `check` every 10 ms until it holds; throws after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A logger that keeps its lines, so tests can count them. */
export class RecordingLogger implements CacheLogger {
  readonly lines: { level: 'log' | 'warn' | 'error'; message: string }[] = [];

  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }

  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }

  /** Lines of `level` whose message contains `text`. */
  count(level: 'log' | 'warn' | 'error', text = ''): number {
    return this.lines.filter((l) => l.level === level && l.message.includes(text)).length;
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A private redis-server (no persistence) on `port`, for outage tests. */
export class OwnRedisServer {
  private process?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => 20,
      maxRetriesPerRequest: null,
    });
    await eventually(
      async () => (await probe.ping().catch(() => '')) === 'PONG',
      5000,
      `redis-server on ${this.port}`,
    );
    probe.disconnect();
  }

  /** Stops the server (connections are refused from then on). */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /**
   * Freezes the server: connections stay open but nothing answers (commands time out).
   * Resolves once the process is really stopped (signals are delivered asynchronously).
   */
  async freeze(): Promise<void> {
    const pid = this.process?.pid;
    if (!pid) return;
    this.process?.kill('SIGSTOP');
    await eventually(() => processState(pid) === 'T', 5000, 'redis-server to stop');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }
}

/** The state letter of a Linux process (R, S, T for stopped, ...), from /proc. */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
}
