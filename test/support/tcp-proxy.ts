/**
 * A TCP proxy on loopback for fault injection between the app and PostgreSQL or Redis:
 * - `pause()` holds every byte in both directions (a hung server, a stalled network) until
 *   `resume()` delivers them in order;
 * - `blackhole()` drops every byte from now on (a peer that vanished without a FIN);
 * - `cut()` resets every open connection (a crash or a restarted server); new ones still pass.
 */
import { AddressInfo, Server, Socket, createServer, connect } from 'node:net';

type Mode = 'pass' | 'paused' | 'blackhole';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held while paused, in order, with the socket they must be written to. */
  held: { to: Socket; data: Buffer }[];
}

export class TcpProxy {
  private mode: Mode = 'pass';
  private readonly pairs = new Set<Pair>();

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => proxy.accept(client, targetPort, targetHost));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  pause(): void {
    this.mode = 'paused';
  }

  /** Delivers what was held while paused, then passes bytes again. */
  resume(): void {
    this.mode = 'pass';
    for (const pair of this.pairs) {
      for (const { to, data } of pair.held) if (!to.destroyed) to.write(data);
      pair.held = [];
    }
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const pair of this.pairs) pair.held = [];
  }

  cut(): void {
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, port: number, host: string): void {
    const upstream = connect(port, host);
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const forward = (to: Socket) => (data: Buffer) => {
      if (this.mode === 'blackhole') return;
      if (this.mode === 'paused') pair.held.push({ to, data });
      else if (!to.destroyed) to.write(data);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}

/**
 * A proxy to `targetPort` for the enclosing describe: started in a beforeAll registered now (so
 * call it before useTestApp, whose app then connects through it) and closed after the tests.
 */
export function useTcpProxy(targetPort: number): { readonly proxy: TcpProxy } {
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    proxy = await TcpProxy.start(targetPort);
  });
  afterAll(async () => {
    await proxy?.close();
  });
  return {
    get proxy() {
      if (!proxy) throw new Error('the proxy is not started yet');
      return proxy;
    },
  };
}
