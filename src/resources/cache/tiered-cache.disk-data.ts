/**
 * The disk tier: L2 on the file storage when the app has no Redis, so a single instance keeps
 * its cache across restarts. One file per key, `cache-<namespace>-<sha256 of the key, hex>`
 * (keys hold characters a file name may not), holding `{"k":key,"x":expiresAt,"g":graceMs,"v":value}`:
 * the key guards against a hash collision, `x` (epoch ms, fresh + grace) gives a hit its
 * remaining lifetime after a restart, and the storage's own expiry removes the file.
 * Every call goes through the L2Client guard (timeout, breaker, counters), so none throws.
 */
import { createHash } from 'node:crypto';
import { InsufficientStorageError } from '../../common/errors/app-errors';
import { CacheDisk } from './cache.types';
import { L2_FAILED, L2Client, L2Failed } from './tiered-cache.l2';
import { L2Hit, L2Store } from './tiered-cache.l2-store';

/** What follows the prefix in a file name of ours: a sha256 in hex. */
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Logged once: a full quota is not an outage, the disk still serves what it holds. */
export const QUOTA_FULL_WARNING =
  'disk cache: the storage quota is full; values that do not fit are kept in memory only';

/** L2 on the file storage (one instance's; nothing shared, published or leased). */
export class DiskL2Data implements L2Store {
  /** `cache-<namespace>-`. A namespace may hold `-`: a file is ours when a whole hash follows. */
  private readonly prefix: string;

  /**
   * @param onWritten called when a write landed: it supersedes a delete of the key that could
   *   not reach the disk earlier (the invalidation bus forgets it).
   * @param warnOnce logs a message the first time only.
   */
  constructor(
    private readonly l2: L2Client,
    namespace: string,
    private readonly onWritten: (key: string) => void,
    private readonly warnOnce: (message: string) => void,
  ) {
    this.prefix = `cache-${namespace}-`;
  }

  /** The file that holds `key`. */
  fileName(key: string): string {
    return this.prefix + createHash('sha256').update(key).digest('hex');
  }

  async fetch(key: string): Promise<L2Hit | undefined> {
    const data = await this.l2.callDisk('read', (disk) => disk.read(this.fileName(key)));
    if (data === L2_FAILED) return undefined;
    const entry = data === undefined ? undefined : parseEntry(data, key);
    // Wall-clock time, unlike the cache's monotonic clock: the expiry has to survive a restart.
    const physicalMs = entry === undefined ? 0 : entry.x - Date.now();
    if (data === undefined || entry === undefined || physicalMs <= 0) {
      this.l2.counts.misses++;
      return undefined;
    }
    this.l2.counts.hits++;
    return {
      value: entry.v,
      physicalMs,
      graceMs: entry.g,
      fresh: physicalMs > entry.g,
      bytes: data.length,
    };
  }

  /**
   * Writes the key's file, expiring after fresh + grace. A write the quota refuses is absorbed
   * (counted as an error, warned once) and removes the key's older file, so the disk never
   * serves a value older than the one L1 holds. False when a failure may have left that older
   * file behind (the cache then remembers the key, to delete it once the disk answers again).
   */
  async write(key: string, json: string, ttlMs: number, graceMs: number): Promise<boolean> {
    const name = this.fileName(key);
    const lifetimeMs = ttlMs + graceMs;
    const entry = `{"k":${JSON.stringify(key)},"x":${Date.now() + lifetimeMs},"g":${graceMs},"v":${json}}`;
    const result = await this.l2.enqueue(key, async () => {
      const written = await this.l2.callDisk('write', (disk) =>
        writeUnlessFull(disk, name, entry, lifetimeMs / 1000),
      );
      if (written !== 'full') return written;
      this.l2.counts.errors++;
      this.warnOnce(QUOTA_FULL_WARNING);
      const dropped = await this.l2.callDisk('delete', (disk) => disk.delete(name));
      return dropped === L2_FAILED ? L2_FAILED : 'dropped';
    });
    if (result === L2_FAILED) return false;
    // Written, or dropped: either way nothing older is left for a remembered delete to remove.
    this.onWritten(key);
    return true;
  }

  unlink(key: string, stillWanted: () => boolean = () => true): Promise<number | L2Failed> {
    return this.l2.enqueue(key, async () => {
      if (!stillWanted()) return 0;
      const removed = await this.l2.callDisk('delete', (disk) => disk.delete(this.fileName(key)));
      return removed === L2_FAILED ? L2_FAILED : Number(removed);
    });
  }

  /**
   * Deletes this namespace's files (told by name: the prefix and a hash; other files are never
   * touched). With `spare`, each file is read first to learn its key (only a replayed clear
   * passes one, after an outage).
   */
  async clear(spare?: (key: string) => boolean): Promise<number | L2Failed> {
    const names = await this.l2.callDisk('list', async (disk) =>
      disk.list().flatMap(({ name }) => (this.isOurs(name) ? [name] : [])),
    );
    if (names === L2_FAILED) return L2_FAILED;
    let removed = 0;
    for (const name of names) {
      if (spare) {
        const key = await this.keyIn(name);
        if (key === L2_FAILED) return L2_FAILED;
        if (key !== undefined && spare(key)) continue;
      }
      const gone = await this.l2.callDisk('delete', (disk) => disk.delete(name));
      if (gone === L2_FAILED) return L2_FAILED;
      if (gone) removed++;
    }
    return removed;
  }

  private isOurs(name: string): boolean {
    return name.startsWith(this.prefix) && HASH_PATTERN.test(name.slice(this.prefix.length));
  }

  /** The key a file of ours holds, undefined when it is gone or unreadable. */
  private async keyIn(name: string): Promise<string | undefined | L2Failed> {
    const data = await this.l2.callDisk('read', (disk) => disk.read(name));
    if (data === L2_FAILED || data === undefined) return data;
    return parseEntry(data)?.k;
  }
}

/** Resolves to true when written, `full` when the quota refused it; other errors reject. */
function writeUnlessFull(
  disk: CacheDisk,
  name: string,
  data: string,
  ttlS: number,
): Promise<true | 'full'> {
  return disk.write(name, data, { ttlS }).then(
    () => true as const,
    (error: unknown) => {
      if (error instanceof InsufficientStorageError) return 'full' as const;
      throw error;
    },
  );
}

interface DiskEntry {
  k: string;
  x: number;
  g: number;
  v: unknown;
}

/** The entry a file holds; undefined when damaged, not ours, or (with `key`) another key's. */
function parseEntry(data: Buffer, key?: string): DiskEntry | undefined {
  try {
    const parsed = JSON.parse(data.toString('utf8')) as Partial<DiskEntry> | null;
    if (
      parsed &&
      typeof parsed === 'object' &&
      'v' in parsed &&
      typeof parsed.k === 'string' &&
      typeof parsed.x === 'number' &&
      typeof parsed.g === 'number' &&
      (key === undefined || parsed.k === key)
    ) {
      return parsed as DiskEntry;
    }
  } catch {
    // damaged: a miss
  }
  return undefined;
}
