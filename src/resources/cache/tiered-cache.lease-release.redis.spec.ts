import { Redis } from 'ioredis';
import { releaseLease } from './tiered-cache.lease';
import { LOCAL_REDIS_URL, deleteByPrefix, uniquePrefix } from './testing/redis-test-support';

/**
 * The lease release on the real Redis at 127.0.0.1:6379: EVALSHA, with one EVAL when the
 * server does not hold the script (NOSCRIPT), deleting the lease only while it is ours.
 */
describe('releaseLease (real Redis)', () => {
  const prefix = uniquePrefix('lease-release');
  const leaseKey = `${prefix}cache:!lease:k`;
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(LOCAL_REDIS_URL);
  });

  afterAll(async () => {
    await deleteByPrefix(prefix);
    await raw.quit();
  });

  afterEach(() => jest.restoreAllMocks());

  it('deletes the lease while it holds our token, and leaves another instance’s', async () => {
    await raw.set(leaseKey, 'me:1', 'PX', 10_000);
    await expect(releaseLease(raw, leaseKey, 'someone-else:1')).resolves.toBe(0);
    expect(await raw.get(leaseKey)).toBe('me:1');
    await expect(releaseLease(raw, leaseKey, 'me:1')).resolves.toBe(1);
    expect(await raw.exists(leaseKey)).toBe(0);
  });

  it('falls back to EVAL once after SCRIPT FLUSH, then runs by SHA1 alone', async () => {
    // Other users of this Redis only meet NOSCRIPT once and load the script again themselves.
    await raw.script('FLUSH');
    const evalCalls = jest.spyOn(raw, 'eval');
    await raw.set(leaseKey, 'me:2', 'PX', 10_000);
    await expect(releaseLease(raw, leaseKey, 'me:2')).resolves.toBe(1);
    expect(evalCalls).toHaveBeenCalledTimes(1);

    await raw.set(leaseKey, 'me:3', 'PX', 10_000);
    await expect(releaseLease(raw, leaseKey, 'me:3')).resolves.toBe(1);
    expect(evalCalls).toHaveBeenCalledTimes(1);
    expect(await raw.exists(leaseKey)).toBe(0);
  });

  it('passes on an error that is not NOSCRIPT', async () => {
    await raw.set(leaseKey, 'not-a-lease');
    await raw.del(leaseKey);
    await raw.hset(leaseKey, 'f', 'v'); // GET on a hash: WRONGTYPE
    await expect(releaseLease(raw, leaseKey, 'me:4')).rejects.toThrow(/WRONGTYPE/);
    await raw.del(leaseKey);
  });
});
