/**
 * A fleet of the built app (`node dist/main.js`, as an operator runs it) behind a real HAProxy
 * (Debian's package) that health-checks `/health/ready`, for rolling-restart and Redis-outage
 * tests. Every instance shares one database and one Redis key prefix, like replicas do.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, freePort, startChild } from './processes';
import { ADMIN_KEY, eventually } from './test-app';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** HAProxy checks every 250 ms; two failures take a server out, two successes put it back. */
const CHECK_INTER_MS = 250;

export interface FleetOptions {
  size: number;
  env: Record<string, string>;
}

export class Fleet {
  readonly ports: number[] = [];
  private readonly children: (Child | undefined)[] = [];
  private haproxy?: Child;
  private dir = mkdtempSync(join(tmpdir(), 'captions-fleet-'));
  /** Where clients send traffic: HAProxy's frontend. */
  url = '';

  private constructor(private readonly options: FleetOptions) {}

  static async start(options: FleetOptions): Promise<Fleet> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
    const fleet = new Fleet(options);
    for (let i = 0; i < options.size; i++) fleet.ports.push(await freePort());
    await Promise.all(fleet.ports.map((_, slot) => fleet.startInstance(slot)));
    await fleet.startHaproxy();
    return fleet;
  }

  instanceUrl(slot: number): string {
    return `http://127.0.0.1:${this.ports[slot]}`;
  }

  output(slot: number): string {
    return this.children[slot]?.output() ?? '';
  }

  /** Starts the app in `slot` (on that slot's port) and waits until its readiness answers 200. */
  async startInstance(slot: number, env: Record<string, string> = {}): Promise<void> {
    const child = startChild(process.execPath, [MAIN], {
      ...this.options.env,
      ...env,
      PORT: String(this.ports[slot]),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(this.dir, `instance${slot}-`)),
    });
    this.children[slot] = child;
    const ready = await eventually(
      async () => {
        if (child.process.exitCode !== null) return true;
        const res = await fetch(`${this.instanceUrl(slot)}/api/v14/health/ready`).catch(() => null);
        return res?.status === 200;
      },
      60_000,
      100,
    );
    if (!ready || child.process.exitCode !== null)
      throw new Error(`instance ${slot} did not become ready:\n${child.output()}`);
  }

  /** Sends `signal` to the instance in `slot` and resolves to its exit code. */
  async stopInstance(slot: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.children[slot];
    if (!child || child.process.exitCode !== null) return child?.process.exitCode ?? null;
    child.process.kill(signal);
    return child.exited;
  }

  /** Resolves once HAProxy's checks see the server in `slot` in the given state. */
  async waitForBalancer(slot: number, state: 'UP' | 'DOWN', timeoutMs = 20_000): Promise<void> {
    const ok = await eventually(
      async () => (await this.serverStates())[slot] === state,
      timeoutMs,
      100,
    );
    if (!ok)
      throw new Error(
        `HAProxy never saw s${slot} ${state}: ${JSON.stringify(await this.serverStates())}`,
      );
  }

  /** Each server's state as HAProxy's stats socket reports it (UP, DOWN, …). */
  async serverStates(): Promise<string[]> {
    const csv = await this.haproxyCommand('show stat');
    const states: string[] = [];
    for (const line of csv.split('\n')) {
      const [proxy, server, ...rest] = line.split(',');
      const match = /^s(\d+)$/.exec(server ?? '');
      if (proxy === 'app' && match) states[Number(match[1])] = rest[15]?.split(' ')[0] ?? '';
    }
    return states;
  }

  async stop(): Promise<void> {
    for (const child of [...this.children, this.haproxy]) {
      if (child && child.process.exitCode === null) {
        child.process.kill('SIGKILL');
        await child.exited;
      }
    }
  }

  private get socketPath(): string {
    return join(this.dir, 'haproxy.sock');
  }

  private async startHaproxy(): Promise<void> {
    const port = await freePort();
    const config = join(this.dir, 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(port, this.ports, this.socketPath));
    // -db: stay in the foreground, so the test owns the process.
    this.haproxy = startChild('haproxy', ['-db', '-f', config]);
    this.url = `http://127.0.0.1:${port}`;
    const up = await eventually(
      async () =>
        (await this.serverStates().catch(() => [])).filter((s) => s === 'UP').length ===
        this.ports.length,
      20_000,
      100,
    );
    if (!up) throw new Error(`HAProxy did not see every instance UP:\n${this.haproxy.output()}`);
  }

  private haproxyCommand(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.socketPath);
      let answer = '';
      socket.on('connect', () => socket.end(`${command}\n`));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }
}

/**
 * What an operator would write: active checks on readiness, round robin, and no retries, so a
 * refused or reset connection reaches the client and fails the test instead of being hidden.
 */
function haproxyConfig(port: number, servers: number[], socket: string): string {
  return `global
  maxconn 4096
  stats socket ${socket} level admin

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  retries 0

frontend api
  bind 127.0.0.1:${port}
  default_backend app

backend app
  balance roundrobin
  option httpchk GET /api/v14/health/ready
  http-check expect status 200
  default-server inter ${CHECK_INTER_MS} fall 2 rise 2
${servers.map((p, i) => `  server s${i} 127.0.0.1:${p} check`).join('\n')}
`;
}

/** Environment shared by every instance of a test fleet. */
export function fleetEnv(
  databaseUrl: string,
  redisUrl: string,
  prefix: string,
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    ADMIN_API_KEY: ADMIN_KEY,
    DATABASE_POOL_SIZE: '2',
    DATABASE_MAX_OVERFLOW: '6',
    REDIS_POOL_SIZE: '2',
    ENABLE_MONITORING: 'false',
    // Every request arrives from HAProxy's address: one client as far as rate limits can tell.
    RATE_LIMIT_CAPTIONS_MAX: '1000000',
    RATE_LIMIT_BATCH_MAX: '1000000',
    REDIS_CONNECT_TIMEOUT_MS: '1000',
    // Longer than HAProxy needs to see readiness fail (fall 2 × inter 250 ms) with a margin.
    SHUTDOWN_DELAY_MS: '2000',
    SHUTDOWN_GRACE_MS: '10000',
  };
}

export interface LoadReport {
  requests: number;
  failures: string[];
  maxLatencyMs: number;
}

/**
 * Steady load: `concurrency` clients, each sending `next()` requests back to back over kept-alive
 * connections until stopped. Every non-2xx answer or socket error is a failure.
 */
export function startLoad(
  baseUrl: string,
  concurrency: number,
  next: (n: number) => { method: string; path: string; body?: unknown },
): { stop: () => Promise<LoadReport> } {
  let running = true;
  const report: LoadReport = { requests: 0, failures: [], maxLatencyMs: 0 };
  const client = async () => {
    while (running) {
      const { method, path, body } = next(report.requests);
      const started = performance.now();
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: body ? { 'content-type': 'application/json' } : undefined,
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        if (res.status < 200 || res.status > 299)
          report.failures.push(`${method} ${path}: ${res.status}`);
      } catch (error) {
        report.failures.push(
          `${method} ${path}: ${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`,
        );
      }
      report.requests += 1;
      report.maxLatencyMs = Math.max(report.maxLatencyMs, performance.now() - started);
    }
  };
  const clients = Array.from({ length: concurrency }, () => client());
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      report.maxLatencyMs = Math.round(report.maxLatencyMs);
      return report;
    },
  };
}
