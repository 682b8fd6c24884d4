import { Logger } from '@nestjs/common';
import { LifecycleService } from '../../common/lifecycle/lifecycle.service';
import { validateConfig } from '../../config/app-config';
import { ResourceRegistry } from './resource-registry.service';
import { ResourceType } from './resource-state';
import { ResourcesLifecycleService } from './resources-lifecycle.service';
import { RecordingResource } from './testing/recording-resource';

Logger.overrideLogger(false);

const GRACE_MS = 2000;

function setup() {
  const events: string[] = [];
  const registry = new ResourceRegistry();
  const db = new RecordingResource('database', ResourceType.DATABASE, { events });
  const redis = new RecordingResource('redis', ResourceType.REDIS, { events });
  registry.register(db);
  registry.register(redis);
  const lifecycle = new LifecycleService();
  const config = validateConfig({ SHUTDOWN_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'silent' });
  const service = new ResourcesLifecycleService(registry, lifecycle, config);
  return { service, lifecycle, db, redis, events };
}

describe('ResourcesLifecycleService (admin shutdown and initialize)', () => {
  afterEach(() => jest.useRealTimers());

  it('initialize opens every resource and ends a drain once all are up', async () => {
    const { service, lifecycle } = setup();
    lifecycle.beginDrain('admin shutdown');
    await expect(service.initialize()).resolves.toEqual({
      status: 'initialized',
      resources: { database: 'ready', redis: 'ready' },
    });
    expect(lifecycle.shuttingDown).toBe(false);
  });

  it('initialize with a resource in error answers degraded and keeps readiness draining', async () => {
    const { service, lifecycle, redis } = setup();
    lifecycle.beginDrain('admin shutdown');
    redis.down = true;
    await expect(service.initialize()).resolves.toEqual({
      status: 'degraded',
      resources: { database: 'ready', redis: 'error' },
    });
    expect(lifecycle.shuttingDown).toBe(true);
  });

  it('shutdown drains (allowing its own request), then closes every resource', async () => {
    const { service, lifecycle, events } = setup();
    await service.initialize();
    lifecycle.requestStarted(); // the admin shutdown request itself
    await expect(service.shutdown()).resolves.toEqual({
      status: 'shutdown',
      drained: true,
      resources: { database: 'closed', redis: 'closed' },
    });
    expect(lifecycle.shuttingDown).toBe(true);
    expect(events).toEqual(['open:database', 'open:redis', 'close:redis', 'close:database']);
  });

  it('shutdown waits for the other in-flight requests before closing anything', async () => {
    jest.useFakeTimers();
    const { service, lifecycle, db, events } = setup();
    await service.initialize();
    lifecycle.requestStarted(); // the admin request
    lifecycle.requestStarted(); // another request still running
    const closing = service.shutdown();
    await jest.advanceTimersByTimeAsync(GRACE_MS / 2);
    expect(lifecycle.shuttingDown).toBe(true);
    expect(db.state).toBe('ready');
    expect(events).not.toContain('close:database');

    lifecycle.requestFinished(200);
    await expect(closing).resolves.toEqual({
      status: 'shutdown',
      drained: true,
      resources: { database: 'closed', redis: 'closed' },
    });
  });

  it('shutdown gives up waiting after SHUTDOWN_GRACE_MS, says so, and closes anyway', async () => {
    jest.useFakeTimers();
    const { service, lifecycle } = setup();
    await service.initialize();
    lifecycle.requestStarted();
    lifecycle.requestStarted(); // never finishes
    const closing = service.shutdown();
    await jest.advanceTimersByTimeAsync(GRACE_MS);
    await expect(closing).resolves.toEqual({
      status: 'shutdown',
      drained: false,
      resources: { database: 'closed', redis: 'closed' },
    });
  });

  it('an initialize racing a shutdown runs after it, not interleaved with it', async () => {
    jest.useFakeTimers();
    const { service, lifecycle, events } = setup();
    await service.initialize();
    events.length = 0;
    lifecycle.requestStarted();
    lifecycle.requestStarted();
    const closing = service.shutdown();
    const reopening = service.initialize();
    await jest.advanceTimersByTimeAsync(GRACE_MS / 2);
    expect(events).toEqual([]); // the initialize waits for the shutdown as a whole

    lifecycle.requestFinished(200);
    await expect(closing).resolves.toMatchObject({ status: 'shutdown' });
    await expect(reopening).resolves.toEqual({
      status: 'initialized',
      resources: { database: 'ready', redis: 'ready' },
    });
    expect(events).toEqual(['close:redis', 'close:database', 'open:database', 'open:redis']);
    expect(lifecycle.shuttingDown).toBe(false);
  });
});
