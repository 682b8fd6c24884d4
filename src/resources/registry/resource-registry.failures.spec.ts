import { Logger } from '@nestjs/common';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceState, ResourceType } from './resource-state';
import { RecordingResource } from './testing/recording-resource';

Logger.overrideLogger(false);

function fiveResources() {
  const registry = new ResourceRegistry();
  const r = {
    models: new RecordingResource('models', ResourceType.AI_MODEL, { dependsOn: ['http'] }),
    cache: new RecordingResource('cache', ResourceType.CACHE, {
      required: false,
      dependsOn: ['redis'],
    }),
    http: new RecordingResource('http', ResourceType.HTTP_CLIENT, { required: false }),
    redis: new RecordingResource('redis', ResourceType.REDIS, { required: false }),
    db: new RecordingResource('db', ResourceType.DATABASE),
  };
  // Registered in the worst order on purpose: the registry orders by declared dependence.
  Object.values(r).forEach((resource) => registry.register(resource));
  return { registry, r };
}

describe('ResourceRegistry when resources fail', () => {
  it('orders the resources by their declared dependencies, whatever the order of registration', () => {
    const { registry } = fiveResources();
    expect(registry.all().map((x) => x.name)).toEqual(['http', 'models', 'redis', 'cache', 'db']);
  });

  it('finds a resource by name, and nothing for an unknown name', () => {
    const { registry, r } = fiveResources();
    expect(registry.get('redis')).toBe(r.redis);
    expect(registry.get('nope')).toBeUndefined();
  });

  it('a failing required resource does not stop the others from opening', async () => {
    const { registry, r } = fiveResources();
    r.db.down = true;
    await expect(registry.initializeAll()).resolves.toEqual({
      db: 'error',
      redis: 'ready',
      http: 'ready',
      cache: 'ready',
      models: 'ready',
    });
    expect(Object.values(r).map((x) => x.opens)).toEqual([1, 1, 1, 1, 1]);
    expect(registry.startupPending()).toEqual({ db: ['state error'] });
  });

  it('a failing optional resource does not stop the others either, nor hold startup back', async () => {
    const { registry, r } = fiveResources();
    r.redis.down = true;
    r.cache.down = true;
    await expect(registry.initializeAll()).resolves.toEqual({
      db: 'ready',
      redis: 'error',
      http: 'ready',
      cache: 'error',
      models: 'ready',
    });
    expect(registry.startupPending()).toEqual({});
  });

  it('logs a failed open once: an error for a required resource, a warning for an optional one', async () => {
    const { registry, r } = fiveResources();
    r.db.down = true;
    r.redis.down = true;
    const lines: string[] = [];
    const record = (level: string) =>
      function (this: Logger, message: string) {
        // Only the registry's own lines (each resource also logs its move to error).
        if ((this as unknown as { context?: string }).context === ResourceRegistry.name) {
          lines.push(`${level} ${message}`);
        }
      };
    jest.spyOn(Logger.prototype, 'error').mockImplementation(record('error'));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(record('warn'));
    await registry.initializeAll();
    jest.restoreAllMocks();
    expect(lines).toEqual([
      'warn initialize redis failed: redis unreachable (optional: serving without it)',
      'error initialize db failed: db unreachable',
    ]);
  });

  it('a second initializeAll retries only what failed', async () => {
    const { registry, r } = fiveResources();
    r.db.down = true;
    await registry.initializeAll();
    r.db.down = false;
    await expect(registry.initializeAll()).resolves.toEqual({
      db: 'ready',
      redis: 'ready',
      http: 'ready',
      cache: 'ready',
      models: 'ready',
    });
    expect(Object.values(r).map((x) => [x.name, x.opens])).toEqual([
      ['models', 1],
      ['cache', 1],
      ['http', 1],
      ['redis', 1],
      ['db', 2],
    ]);
  });

  it('shutdownAll closes every resource, the failed ones included, and reports them closed', async () => {
    const { registry, r } = fiveResources();
    r.redis.down = true;
    await registry.initializeAll();
    await expect(registry.shutdownAll()).resolves.toEqual({
      db: 'closed',
      redis: 'closed',
      http: 'closed',
      cache: 'closed',
      models: 'closed',
    });
    expect(Object.values(r).map((x) => x.closes)).toEqual([1, 1, 1, 1, 1]);
  });

  it('healthAll reports every resource by name: probed when live, unhealthy when failed or closed', async () => {
    const { registry, r } = fiveResources();
    r.redis.down = true;
    r.http.probeAnswer = { status: 'degraded', details: { open_circuits: 1 } };
    await registry.initializeAll();
    await r.models.shutdown();
    await expect(registry.healthAll()).resolves.toEqual({
      db: { status: 'healthy' },
      // In error the probe decides (it is how recovery is noticed).
      redis: { status: 'healthy' },
      http: { status: 'degraded', details: { open_circuits: 1 } },
      cache: { status: 'healthy' },
      models: { status: 'unhealthy', details: { state: ResourceState.CLOSED } },
    });
  });
});

describe('figures contributed by features', () => {
  it('reads a contributed figure live by name; an unknown name is undefined', () => {
    const registry = new ResourceRegistry();
    let p95 = 3;
    registry.contributeFigure('cached_response_p95_ms', () => p95);
    expect(registry.figure('cached_response_p95_ms')).toBe(3);
    p95 = 7;
    expect(registry.figure('cached_response_p95_ms')).toBe(7);
    expect(registry.figure('nothing_by_that_name')).toBeUndefined();
  });

  it('keeps the metric definitions features contribute, by owner, for /metrics to run', () => {
    const registry = new ResourceRegistry();
    expect(registry.contributedMetrics().size).toBe(0);
    const define = () => undefined;
    registry.contributeMetrics('captions', define);
    expect([...registry.contributedMetrics()]).toEqual([['captions', define]]);
  });

  it('a dependency declared twice counts once', () => {
    const cache = new RecordingResource('cache', ResourceType.CACHE, {
      required: false,
      dependsOn: ['redis'],
    });
    cache.addDependency('redis');
    cache.addDependency('http');
    expect(cache.dependsOn).toEqual(['redis', 'http']);
  });
});
