import { ModelEntry } from './model-entry';

function entry(): ModelEntry {
  return new ModelEntry({ name: 'a', loader: 'fake', options: {}, estimated_mb: 10 }, false);
}

/** The per-model record's derived value: the LRU/idle time. */
describe('ModelEntry', () => {
  it('lastUsed is the load time while the model was never used since', () => {
    const e = entry();
    e.loadedAt = 5_000;
    expect(e.lastUsed).toBe(5_000);
  });

  it('lastUsed is the later of the last use and the load', () => {
    const e = entry();
    e.loadedAt = 5_000;
    e.lastAccess = 7_000;
    expect(e.lastUsed).toBe(7_000);
    e.loadedAt = 9_000;
    expect(e.lastUsed).toBe(9_000);
  });

  it('lastUsed is 0 for a model never loaded nor used', () => {
    expect(entry().lastUsed).toBe(0);
  });
});
