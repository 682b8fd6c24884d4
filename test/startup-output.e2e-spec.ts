import { Writable } from 'node:stream';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { TEST_DATABASE_URL, TestApp, bootTestApp } from './support/test-app';

/** The log lines an app writes, parsed. */
class LogCapture extends Writable {
  private text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  get lines(): Array<{ level: number; context?: string; msg: string }> {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

const NEST_CHATTER = ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'];

async function boot(level: string): Promise<{ app: TestApp; logs: LogCapture }> {
  const logs = new LogCapture();
  const env = { LOG_LEVEL: level, DATABASE_URL: TEST_DATABASE_URL };
  const app = await bootTestApp(env, { logDestination: logs });
  return { app, logs };
}

describe('start-up output', () => {
  let app: TestApp | undefined;
  // nestjs-pino keeps the first app's pino logger for the whole process (one app per process in
  // production); each test here boots its own app with its own capture.
  beforeEach(() => __resetOutOfContextForTests());
  afterEach(async () => app?.close());

  it('at the default level, Nest prints no line per module, controller and route', async () => {
    const booted = await boot('info');
    app = booted.app;
    const chatter = booted.logs.lines.filter((l) => NEST_CHATTER.includes(l.context ?? ''));
    expect(chatter).toEqual([]);
    // The service's own lines are still there (each resource reports its start).
    expect(booted.logs.lines.some((l) => l.msg === 'state initializing -> ready')).toBe(true);
  });

  it('with LOG_LEVEL=debug the route list is still there, at debug level', async () => {
    const booted = await boot('debug');
    app = booted.app;
    const routes = booted.logs.lines.filter((l) => l.context === 'RouterExplorer');
    expect(routes.length).toBeGreaterThan(30);
    expect(new Set(routes.map((l) => l.level))).toEqual(new Set([20]));
    expect(routes.map((l) => l.msg)).toContain('Mapped {/api/v14/captions/generate, POST} route');
  });

  it('answers /favicon.ico and /favicon.svg with the inline icon, outside the API prefix', async () => {
    app = (await boot('silent')).app;
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const res = await app.request({ method: 'GET', url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml');
      expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
    }
  });
});
