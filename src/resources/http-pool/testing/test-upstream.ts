import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Answers one request; `n` counts requests from 1 across the server's life. */
export type UpstreamHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  n: number,
) => unknown;

export interface TestUpstreamOptions {
  /**
   * Closes a connection once it has been idle this long after an answer, ms, without
   * announcing it (no `Keep-Alive: timeout=N` hint, as behind many proxies and load
   * balancers). Node's own keep-alive timeout is turned off then: recent Node versions add a
   * hidden second to it, and announce it, which would hide the race under test.
   * Unset: Node's default keep-alive behaviour (5 s, announced).
   */
  idleTimeoutMs?: number;
}

/**
 * A real HTTP server on 127.0.0.1, port 0, for the pool's tests: counts connections and
 * requests so tests can assert socket reuse and retry counts instead of timings.
 */
export class TestUpstream {
  /** TCP connections accepted. */
  connections = 0;
  /** Requests received. */
  requests = 0;
  /** Connections closed by the client (or by `close()`), not by `idleTimeoutMs`. */
  closedByClient = 0;
  /** Connections the server closed because they sat idle for `idleTimeoutMs`. */
  closedByServer = 0;
  private readonly sockets = new Set<Socket>();
  private readonly idleTimers = new Map<Socket, NodeJS.Timeout>();
  private readonly closingIdle = new WeakSet<Socket>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: TestUpstreamOptions,
  ) {}

  static async start(
    handler: UpstreamHandler,
    options: TestUpstreamOptions = {},
  ): Promise<TestUpstream> {
    const server = http.createServer();
    const upstream = new TestUpstream(server, options);
    if (options.idleTimeoutMs !== undefined) server.keepAliveTimeout = 0;
    server.on('connection', (socket: Socket) => upstream.onConnection(socket));
    server.on('request', (req, res) => {
      upstream.requests++;
      upstream.armIdleTimeout(req.socket, res);
      void handler(req, res, upstream.requests);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL, no trailing slash. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      clearTimeout(this.idleTimers.get(socket));
      this.idleTimers.delete(socket);
      if (this.closingIdle.has(socket)) this.closedByServer++;
      else this.closedByClient++;
    });
  }

  /** Disarms the idle timer while a request runs; re-arms it once the answer is sent. */
  private armIdleTimeout(socket: Socket, res: http.ServerResponse): void {
    const idleMs = this.options.idleTimeoutMs;
    if (idleMs === undefined) return;
    clearTimeout(this.idleTimers.get(socket));
    this.idleTimers.delete(socket);
    res.on('finish', () => {
      const timer = setTimeout(() => {
        this.closingIdle.add(socket);
        socket.destroy();
      }, idleMs);
      this.idleTimers.set(socket, timer);
    });
  }
}

/** Sends a JSON body. */
export function reply(
  res: http.ServerResponse,
  status: number,
  body: unknown = {},
  headers = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Holds upstream answers until the test opens it; once open it stays open. */
export class Gate {
  private waiting: Array<() => void> = [];
  private opened = false;

  /** Resolves once `open()` has been called. */
  wait(): Promise<void> {
    if (this.opened) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  open(): void {
    this.opened = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
