import { ResourceUnavailableError } from '../../src/common/errors/app-errors';
import { ManagedResource } from '../../src/resources/registry/managed-resource';
import { ResourceState } from '../../src/resources/registry/resource-state';

/** What the lifecycle contract needs to exercise one resource. */
export interface ContractSubject {
  resource: () => ManagedResource;
  /** One real operation against the backend (a query, a GET, a cache write, a generation). */
  use: () => Promise<unknown>;
}

/** A bound on "does not hang": use-after-shutdown must fail well before this. */
const NO_HANG_MS = 5000;

/**
 * The lifecycle contract every managed resource honours (init, double init, shutdown, double
 * shutdown, use after shutdown, re-init, health, stats), run against the real backends.
 */
export function describeResourceContract(name: string, subject: ContractSubject): void {
  describe(`${name} honours the resource lifecycle contract`, () => {
    it('is ready after init and a second init changes nothing', async () => {
      const resource = subject.resource();
      expect([ResourceState.READY, ResourceState.BUSY]).toContain(resource.state);
      const before = resource.transitionCounts();
      await resource.init();
      expect(resource.transitionCounts()).toEqual(before);
      await expect(subject.use()).resolves.not.toThrow();
    });

    it('has its registry name, reports health, and shows stats without an unmasked password', async () => {
      const resource = subject.resource();
      expect(resource.name).toBe(name);
      expect((await resource.health()).status).toMatch(/healthy|degraded/);
      const stats = resource.stats() as Record<string, unknown>;
      expect(stats).toBeInstanceOf(Object);
      expect(JSON.stringify(stats)).not.toMatch(/:\/\/[^:@/]+:[^*@/][^@/]*@/); // no unmasked password
    });

    it('shuts down once, refuses use with a typed error instead of hanging, and re-initializes', async () => {
      const resource = subject.resource();
      await Promise.all([resource.shutdown(), resource.shutdown()]);
      await resource.shutdown();
      expect(resource.state).toBe(ResourceState.CLOSED);
      expect((await resource.health()).status).toBe('unhealthy');

      // A hang would lose the race and reject with a different error.
      const hang = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('hung')), NO_HANG_MS).unref(),
      );
      await expect(Promise.race([subject.use(), hang])).rejects.toBeInstanceOf(
        ResourceUnavailableError,
      );

      await resource.init();
      expect([ResourceState.READY, ResourceState.BUSY]).toContain(resource.state);
      await expect(subject.use()).resolves.not.toThrow();
      expect(resource.transitionCounts()['shutting_down->closed']).toBeGreaterThanOrEqual(1);
    });
  });
}
