import {
  CircuitOpenError,
  UpstreamError,
  UpstreamTimeoutError,
} from '../../common/errors/app-errors';
import { HttpPoolService } from './http-pool.service';
import { createHttpPool } from './testing/http-pool.fixture';
import { Gate, TestUpstream, reply } from './testing/test-upstream';

const HALF_OPEN_MS = 10_000;

describe('HttpPoolService circuit breaker', () => {
  let sick: TestUpstream;
  let healthy: TestUpstream;
  let pool: HttpPoolService;
  /** What the sick upstream answers now. */
  let sickStatus: number;
  let gate: Gate;

  beforeEach(async () => {
    sickStatus = 503;
    gate = new Gate();
    sick = await TestUpstream.start(async (req, res) => {
      if (req.url === '/hang') return gate.wait();
      reply(res, sickStatus);
    });
    healthy = await TestUpstream.start((_req, res) => reply(res, 200));
    pool = createHttpPool({
      HTTP_BREAKER_THRESHOLD: '3',
      HTTP_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      HTTP_RETRIES: '0',
    }).pool;
    await pool.init();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    gate.open();
    await pool.shutdown();
    await Promise.all([sick.close(), healthy.close()]);
  });

  const call = (upstream: TestUpstream, path = '/') =>
    pool.request({ method: 'GET', url: `${upstream.url}${path}` });
  const circuitOf = (upstream: TestUpstream) =>
    pool.stats().hosts[`127.0.0.1:${upstream.port}`]?.circuit;

  /** The error a call fails with; fails the test if it resolves. */
  async function failureOf(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      (value) => {
        throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
      },
      (error: unknown) => error,
    );
  }

  /** Three 503 answers, each a plain UpstreamError (502 at the edge) naming the status. */
  async function tripSick(path = '/'): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(call(sick, path));
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ name: 'UpstreamError', code: 'E_UPSTREAM', status: 502 });
    }
  }

  /**
   * cockatiel decides "half-open yet?" from Date.now() when a call arrives, so moving Date.now
   * forward stands in for waiting out HTTP_BREAKER_HALF_OPEN_MS.
   */
  function passHalfOpenDelay(): void {
    const later = Date.now() + HALF_OPEN_MS + 1;
    jest.spyOn(Date, 'now').mockReturnValue(later);
  }

  it('opens after HTTP_BREAKER_THRESHOLD consecutive failures, then fails fast', async () => {
    await tripSick();
    expect(circuitOf(sick)).toBe('open');
    const seen = sick.requests;

    const error = await failureOf(call(sick));
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({
      code: 'E_CIRCUIT_OPEN',
      status: 503,
      retryAfterS: 10,
      host: `127.0.0.1:${sick.port}`,
    });
    expect(sick.requests).toBe(seen); // failed without touching the upstream
    expect(pool.stats().hosts[`127.0.0.1:${sick.port}`]).toMatchObject({ requests: 4, errors: 4 });
  });

  it('leaves other hosts alone', async () => {
    await tripSick();
    await expect(call(healthy)).resolves.toMatchObject({ status: 200 });
    expect(circuitOf(healthy)).toBe('closed');
  });

  it('reports degraded health while a circuit is open', async () => {
    await tripSick();
    await expect(pool.health()).resolves.toMatchObject({
      status: 'degraded',
      details: { circuits: { [`127.0.0.1:${sick.port}`]: 'open' } },
    });
  });

  it('closes again when the trial request after the half-open delay succeeds', async () => {
    await tripSick();
    sickStatus = 200;
    passHalfOpenDelay();
    await expect(call(sick)).resolves.toMatchObject({ status: 200 });
    expect(circuitOf(sick)).toBe('closed');
    await expect(pool.health()).resolves.toMatchObject({ status: 'healthy' });
  });

  it('opens again when the trial request fails', async () => {
    await tripSick();
    passHalfOpenDelay();
    await expect(call(sick)).rejects.toMatchObject({ name: 'UpstreamError', code: 'E_UPSTREAM' });
    expect(circuitOf(sick)).toBe('open');
    const seen = sick.requests;
    await expect(call(sick)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(sick.requests).toBe(seen);
  });

  it('counts timeouts as failures', async () => {
    const hang = () => pool.request({ method: 'GET', url: `${sick.url}/hang`, timeoutMs: 50 });
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(hang());
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error).toMatchObject({ code: 'E_UPSTREAM_TIMEOUT', status: 504 });
    }
    expect(circuitOf(sick)).toBe('open');
    await expect(hang()).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('does not count 4xx answers: the host is answering', async () => {
    sickStatus = 404;
    for (let i = 0; i < 5; i++) await expect(call(sick)).resolves.toMatchObject({ status: 404 });
    expect(circuitOf(sick)).toBe('closed');
  });

  it('counts consecutive failures only: a success resets the count', async () => {
    for (const status of [503, 503, 200, 503, 503]) {
      sickStatus = status;
      await call(sick).catch((error: unknown) => expect(error).toBeInstanceOf(UpstreamError));
    }
    expect(circuitOf(sick)).toBe('closed');
    await expect(call(sick)).rejects.toMatchObject({ code: 'E_UPSTREAM' }); // not yet open
  });
});
