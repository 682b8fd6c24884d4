import type { DatabaseService } from '../resources/database/database.service';
import { CaptionsRepository } from './captions.repository';

const A = '0b6f3a52-8a4e-4a53-9d7e-2f1c8a0c1a01';
const B = '0b6f3a52-8a4e-4a53-9d7e-2f1c8a0c1a02';
const MISSING = '0b6f3a52-8a4e-4a53-9d7e-2f1c8a0c1a03';

/** A stand-in for the database: records each query's id list, answers the rows it holds. */
function fakeDatabase(rowIds: string[], failure?: Error) {
  const batches: string[][] = [];
  const query = (_statement: unknown, [ids]: [string[]]) => {
    batches.push(ids);
    if (failure) return Promise.reject(failure);
    const rows = ids
      .filter((id) => rowIds.includes(id))
      .map((id) => ({ id, caption: `caption ${id}`, hashtags: [], created_at: new Date(0) }));
    return Promise.resolve(rows);
  };
  return { batches, database: { query } as unknown as DatabaseService };
}

describe('CaptionsRepository.findById', () => {
  it('answers reads by id made together from one query, each id asked once', async () => {
    const { batches, database } = fakeDatabase([A, B]);
    const repository = new CaptionsRepository(database);
    const found = await Promise.all([A, B, A, MISSING].map((id) => repository.findById(id)));
    expect(found.map((view) => view?.caption)).toEqual([
      `caption ${A}`,
      `caption ${B}`,
      `caption ${A}`,
      undefined,
    ]);
    expect(batches).toEqual([[A, B, MISSING]]);
  });

  it('reads afresh for a later read: nothing is cached between batches', async () => {
    const { batches, database } = fakeDatabase([A]);
    const repository = new CaptionsRepository(database);
    await repository.findById(A);
    await repository.findById(A);
    expect(batches).toEqual([[A], [A]]);
  });

  it('answers an id that is not a UUID as not found without asking the database', async () => {
    const { batches, database } = fakeDatabase([A]);
    const repository = new CaptionsRepository(database);
    expect(await repository.findById('not-a-uuid')).toBeUndefined();
    expect(batches).toEqual([]);
  });

  it('fails every read of a batch whose query failed', async () => {
    const failure = new Error('database down');
    const { database } = fakeDatabase([A, B], failure);
    const repository = new CaptionsRepository(database);
    const reads = [A, B].map((id) => repository.findById(id));
    await expect(Promise.all(reads.map((r) => r.catch((e: unknown) => e)))).resolves.toEqual([
      failure,
      failure,
    ]);
  });
});
