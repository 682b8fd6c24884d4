import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Ports handed out for servers started later: below Linux's ephemeral range (32768-60999), from
 * which the kernel picks the local port of every outgoing connection. A port taken from that
 * range (listen(0)) can be given to one of the many connections made to PostgreSQL or Redis
 * before the server that was meant to have it starts (EADDRINUSE, seen in bench:http).
 */
const PORT_RANGE = { first: 20_000, last: 32_767 };
const PORT_ATTEMPTS = 50;

/** A port that was free a moment ago, for a server started soon after. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port =
      PORT_RANGE.first + Math.floor(Math.random() * (PORT_RANGE.last - PORT_RANGE.first));
    if (await canListen(port)) return port;
  }
  return listenOnce(0);
}

function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

/** Listens on `port` (0: any) on 127.0.0.1, closes, and says which port it was. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** A child process with its output collected, and a promise of its exit code. */
export interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startChild(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Child {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { process: child, output: () => output, exited };
}

/**
 * Our own redis-server on a free port, so a test can stop and restart it under the app;
 * `extraArgs` adds server options (`--requirepass`, …).
 */
export async function startRedisServer(
  port?: number,
  extraArgs: string[] = [],
): Promise<{ port: number; stop: () => Promise<void> }> {
  const chosen = port ?? (await freePort());
  const child = startChild('redis-server', [
    '--port',
    String(chosen),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    ...extraArgs,
  ]);
  const deadline = Date.now() + 10_000;
  while (!child.output().includes('Ready to accept connections')) {
    if (Date.now() > deadline) throw new Error(`redis-server did not start: ${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    port: chosen,
    stop: async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    },
  };
}

/**
 * Our own redis-server for the enclosing describe (started before its app boots, stopped after),
 * which a test may stop and start again on the same port to play an outage.
 */
export function useOwnRedisServer(): {
  readonly url: string;
  stop: () => Promise<void>;
  restart: () => Promise<void>;
} {
  let server: Awaited<ReturnType<typeof startRedisServer>> | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const current = () => {
    if (!server) throw new Error('the redis-server is not started yet');
    return server;
  };
  return {
    get url() {
      return `redis://127.0.0.1:${current().port}`;
    },
    stop: () => current().stop(),
    restart: async () => {
      server = await startRedisServer(current().port);
    },
  };
}
