import { ResourceUnavailableError } from '../../src/common/errors/app-errors';
import { ManagedResource } from '../../src/resources/registry/managed-resource';
import { ResourceState, ResourceType } from '../../src/resources/registry/resource-state';

/** What the lifecycle contract needs to exercise one resource. */
export interface ContractSubject {
  resource: () => ManagedResource;
  /** Its v14 type (the name is the one used everywhere else: health key, label, route). */
  type: ResourceType;
  /** One real operation against the backend (a query, a GET, a cache write, a generation). */
  use: () => Promise<unknown>;
  /** What `use` answers while the resource is up (asymmetric matchers allowed). */
  result: unknown;
  /** The resource's health while up (asymmetric matchers allowed). */
  health: unknown;
  /** Fields its stats always carry while up, besides `state` (asymmetric matchers allowed). */
  stats: Record<string, unknown>;
}

/** A bound on "does not hang": use-after-shutdown must fail well before this. */
const NO_HANG_MS = 5000;

const USABLE = [ResourceState.READY, ResourceState.BUSY];

/** Runs `use`, failing with a plain Error when it takes longer than NO_HANG_MS. */
async function withinNoHang<T>(use: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('hung')), NO_HANG_MS);
  });
  try {
    return await Promise.race([use(), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The lifecycle contract every managed resource honours (init, double init, shutdown, double
 * shutdown, use after shutdown, re-init, health, stats), run against the real backends.
 */
export function describeResourceContract(name: string, subject: ContractSubject): void {
  describe(`${name} honours the resource lifecycle contract`, () => {
    it('is ready after init, a second init changes nothing, and a real call answers', async () => {
      const resource = subject.resource();
      expect(USABLE).toContain(resource.state);
      const before = resource.transitionCounts();
      await expect(resource.init()).resolves.toBeUndefined();
      expect(resource.transitionCounts()).toEqual(before);
      expect(USABLE).toContain(resource.state);
      await expect(subject.use()).resolves.toEqual(subject.result);
      expect(resource.startupPending()).toEqual([]);
    });

    it('has its one name and its type, reports health, and shows stats without an unmasked password', async () => {
      const resource = subject.resource();
      expect(resource.name).toBe(name);
      expect(resource.type).toBe(subject.type);
      expect(await resource.health()).toEqual(subject.health);
      const stats = resource.stats();
      expect(stats).toEqual(expect.objectContaining({ ...subject.stats, state: resource.state }));
      // Plain data, as the status endpoints serialize it: nothing lost on the way to JSON.
      expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
      expect(JSON.stringify(stats)).not.toMatch(/:\/\/[^:@/]+:[^*@/][^@/]*@/); // no unmasked password
    });

    it('shuts down once, refuses use with a typed error instead of hanging, and re-initializes', async () => {
      const resource = subject.resource();
      const closedBefore = resource.transitionCounts()['shutting_down->closed'] ?? 0;
      const openedBefore = resource.transitionCounts()['closed->initializing'] ?? 0;

      await expect(Promise.all([resource.shutdown(), resource.shutdown()])).resolves.toEqual([
        undefined,
        undefined,
      ]);
      await expect(resource.shutdown()).resolves.toBeUndefined();
      expect(resource.state).toBe(ResourceState.CLOSED);
      expect(resource.transitionCounts()['shutting_down->closed']).toBe(closedBefore + 1);
      expect(await resource.health()).toEqual({
        status: 'unhealthy',
        details: { state: ResourceState.CLOSED },
      });
      expect(resource.stats()).toEqual(expect.objectContaining({ state: ResourceState.CLOSED }));

      // A hang would lose the race and reject with a plain Error('hung').
      const refusal = await withinNoHang(subject.use).then(
        (value) => ({ resolved: value }),
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ResourceUnavailableError);
      expect(refusal).toMatchObject({ code: 'E_RESOURCE_UNAVAILABLE', status: 503 });

      await expect(resource.init()).resolves.toBeUndefined();
      expect(USABLE).toContain(resource.state);
      expect(resource.transitionCounts()['closed->initializing']).toBe(openedBefore + 1);
      await expect(subject.use()).resolves.toEqual(subject.result);
      expect(await resource.health()).toEqual(subject.health);
    });
  });
}
