import { planRoom, planTrim } from './eviction-policy';
import { ModelEntry } from './model-entry';
import { ModelState } from './model-pool.types';

/** An entry in `state` charging `memoryMb`, last used at `lastUsed` (ms). */
function entry(
  name: string,
  state: Exclude<ModelState, 'unavailable'>,
  { memoryMb = 0, lastUsed = 0, leases = 0, reserved = false } = {},
): ModelEntry {
  const e = new ModelEntry({ name, loader: 'fake', options: {}, estimated_mb: 10 }, false);
  Object.assign(e, { state, memoryMb, leases, reserved, loadedAt: lastUsed });
  return e;
}

describe('planRoom', () => {
  const next = entry('next', 'loading');

  it('never counts the model being placed as holding room, even when already loaded', () => {
    const self = entry('self', 'loaded', { memoryMb: 50 });
    expect(planRoom([self], self, 50, { memoryLimitMb: 100, cacheSize: 1 })).toEqual([]);
  });

  it('only loaded models and loads that made room hold room', () => {
    const others = [
      entry('queued', 'loading'),
      entry('gone', 'unloaded'),
      entry('failed', 'error'),
      entry('leaving', 'unloading', { memoryMb: 90 }),
    ];
    expect(planRoom([next, ...others], next, 60, { memoryLimitMb: 100, cacheSize: 1 })).toEqual([]);
  });

  it('never evicts a load that made room: undefined when only such loads hold the room', () => {
    const reserved = entry('reserved', 'loading', { memoryMb: 60, reserved: true });
    const limits = { memoryLimitMb: 100, cacheSize: 5 };
    expect(planRoom([next, reserved], next, 50, limits)).toBeUndefined();
  });

  it('takes idle models before leased ones, each least recently used first', () => {
    const leasedOldest = entry('leased', 'loaded', { lastUsed: 1, leases: 1 });
    const idleNewer = entry('idle-newer', 'loaded', { lastUsed: 3 });
    const idleOlder = entry('idle-older', 'loaded', { lastUsed: 2 });
    const all = [next, idleNewer, idleOlder, leasedOldest];
    expect(planRoom(all, next, 10, { memoryLimitMb: 1000, cacheSize: 2 })).toEqual([
      [idleOlder, 'count'],
      [idleNewer, 'count'],
    ]);
  });

  it('charges a victim to count while a slot is short, then to memory', () => {
    const a = entry('a', 'loaded', { memoryMb: 40, lastUsed: 1 });
    const b = entry('b', 'loaded', { memoryMb: 40, lastUsed: 2 });
    expect(planRoom([next, a, b], next, 90, { memoryLimitMb: 100, cacheSize: 2 })).toEqual([
      [a, 'count'],
      [b, 'memory'],
    ]);
  });

  it('stops evicting once the model fits exactly', () => {
    const a = entry('a', 'loaded', { memoryMb: 40, lastUsed: 1 });
    const b = entry('b', 'loaded', { memoryMb: 40, lastUsed: 2 });
    expect(planRoom([next, a, b], next, 60, { memoryLimitMb: 100, cacheSize: 3 })).toEqual([
      [a, 'memory'],
    ]);
  });

  it('treats an overshoot of at most 1e-9 MB (float rounding) as fitting', () => {
    expect(planRoom([next], next, 1e-9, { memoryLimitMb: 0, cacheSize: 1 })).toEqual([]);
    expect(planRoom([next], next, 2e-9, { memoryLimitMb: 0, cacheSize: 1 })).toBeUndefined();
  });
});

describe('planTrim', () => {
  it('does not count unloading models: their memory is already on its way out', () => {
    const loaded = entry('loaded', 'loaded', { memoryMb: 60, lastUsed: 5 });
    const leaving = entry('leaving', 'unloading', { memoryMb: 50 });
    expect(planTrim([leaving, loaded], loaded, 100)).toEqual({ victims: [], usedMb: 60 });
  });

  it('evicts idle models least recently used first, only until under the limit', () => {
    const loaded = entry('loaded', 'loaded', { memoryMb: 40, lastUsed: 9 });
    const newest = entry('newest', 'loaded', { memoryMb: 30, lastUsed: 3 });
    const oldest = entry('oldest', 'loaded', { memoryMb: 20, lastUsed: 1 });
    const middle = entry('middle', 'loaded', { memoryMb: 40, lastUsed: 2 });
    // 130 MB in use: freeing oldest (20) then middle (40) lands exactly on 70; newest stays
    expect(planTrim([loaded, newest, oldest, middle], loaded, 70)).toEqual({
      victims: [oldest, middle],
      usedMb: 70,
    });
  });

  it('never picks the model just loaded, a leased model or one not loaded', () => {
    const loaded = entry('loaded', 'loaded', { memoryMb: 90, lastUsed: 1 });
    const leased = entry('leased', 'loaded', { memoryMb: 20, lastUsed: 2, leases: 1 });
    const reserved = entry('reserved', 'loading', { memoryMb: 20, reserved: true });
    expect(planTrim([reserved, loaded, leased], loaded, 100)).toEqual({
      victims: [],
      usedMb: 130,
    });
  });
});
