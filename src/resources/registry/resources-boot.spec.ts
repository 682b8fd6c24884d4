import { Logger } from '@nestjs/common';
import { ResourceGraphError } from './resource-graph';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceState, ResourceType } from './resource-state';
import { ResourcesBoot } from './resources-boot';
import { RecordingResource } from './testing/recording-resource';

Logger.overrideLogger(false);

describe('ResourcesBoot: the resources open at app start and close at app stop', () => {
  /** database, redis (required unless said), then the cache that depends on redis. */
  function bootSetup(redisRequired = true) {
    const events: string[] = [];
    const registry = new ResourceRegistry();
    const redis = new RecordingResource('redis', ResourceType.REDIS, {
      events,
      required: redisRequired,
    });
    const cache = new RecordingResource('cache', ResourceType.CACHE, {
      events,
      required: false,
      dependsOn: ['redis'],
    });
    [cache, new RecordingResource('database', ResourceType.DATABASE, { events }), redis].forEach(
      (r) => registry.register(r),
    );
    return { service: new ResourcesBoot(registry), registry, events, cache, redis };
  }

  it('opens every resource after what it depends on, and closes them the other way round', async () => {
    const events: string[] = [];
    const registry = new ResourceRegistry();
    const make = (name: string, dependsOn: string[] = []) =>
      new RecordingResource(name, ResourceType.CACHE, { events, dependsOn });
    [make('models', ['http']), make('cache', ['redis']), make('http'), make('redis')].forEach((r) =>
      registry.register(r),
    );
    const service = new ResourcesBoot(registry);

    await service.onModuleInit();
    expect(events).toEqual(['open:http', 'open:models', 'open:redis', 'open:cache']);
    events.length = 0;
    await service.onApplicationShutdown();
    expect(events).toEqual(['close:cache', 'close:redis', 'close:models', 'close:http']);
  });

  it('a required resource that cannot open stops the boot, after those before it opened', async () => {
    const { service, events, redis, cache } = bootSetup();
    redis.down = true;
    await expect(service.onModuleInit()).rejects.toThrow('unreachable');
    expect(events).toEqual(['open:database', 'open:redis']);
    expect(cache.state).toBe(ResourceState.CLOSED);
  });

  it('an optional resource that cannot open does not stop the boot', async () => {
    const { service, events, redis, cache } = bootSetup(false);
    redis.down = true;
    await expect(service.onModuleInit()).resolves.toBeUndefined();
    expect(events).toEqual(['open:database', 'open:redis', 'open:cache']);
    expect(redis.state).toBe(ResourceState.ERROR);
    expect(cache.state).toBe(ResourceState.READY);
  });

  it('a dependency on a resource that is not registered stops the boot before anything opens', async () => {
    const { service, registry, events } = bootSetup();
    registry.register(
      new RecordingResource('storage', ResourceType.CACHE, { events, dependsOn: ['disk'] }),
    );
    await expect(service.onModuleInit()).rejects.toThrow(ResourceGraphError);
    await expect(service.onModuleInit()).rejects.toThrow('resource storage depends on disk');
    expect(events).toEqual([]);
  });

  it('a cycle stops the boot before anything opens', async () => {
    const { service, events, redis } = bootSetup();
    redis.addDependency('cache');
    await expect(service.onModuleInit()).rejects.toThrow(
      'cycle among cache -> redis, redis -> cache',
    );
    expect(events).toEqual([]);
  });
});
