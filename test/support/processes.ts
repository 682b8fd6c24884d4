import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
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
