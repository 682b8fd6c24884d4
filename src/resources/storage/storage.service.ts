import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { InsufficientStorageError, InvalidInputError } from '../../common/errors/app-errors';
import type { MetricDefinitions } from '../../common/metrics/metric-definitions';
import { round } from '../../common/util/round';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import {
  DEGRADED_ABOVE_PERCENT,
  STORAGE_FS,
  STORAGE_RESOURCE_NAME,
  TEMP_PREFIX,
} from './storage.constants';
import {
  HEADER_BYTES,
  StorageFs,
  assertValidName,
  decodeHeader,
  isMissing,
  isTempName,
  isValidName,
  readEntry,
  realFs,
  writeAtomically,
} from './storage.files';
import {
  StorageOperations,
  StorageStatus,
  defineStorageMetrics,
  observeStorage,
  storageSelfTest,
} from './storage.observation';
import { STORAGE_OPTIONS } from './storage.module-definition';
import { StorageOptions } from './storage.options';

/** One stored file as the in-memory index knows it. */
interface StoredFile {
  /** Bytes on disk, header included. */
  bytes: number;
  /** Epoch ms; `null`: never expires. */
  expiresAt: number | null;
}

/** One entry of `list()`. */
export interface StoredFileInfo {
  name: string;
  bytes: number;
  expires_at: string | null;
}

export interface StorageWriteOptions {
  /** Lifetime, seconds: past it the file is no longer served and the cleanup removes it. */
  ttlS?: number;
}

/**
 * The file storage (v14's FILE_STORAGE): named files under one folder within a quota.
 *
 * Writes are atomic (temporary file in the same folder, fsync, rename). A file may carry an
 * expiry, kept in its own header. Usage is tracked in memory and rebuilt at init from the
 * folder, which also removes expired files and temporary files a crash left.
 * Optional: a broken disk degrades the instance, it does not take it out of rotation.
 *
 * Errors callers see: `InvalidInputError` (400, a bad name or ttl), `InsufficientStorageError`
 * (507, over the quota), `ResourceUnavailableError` (503, shut down); an I/O failure as is.
 */
@Injectable()
export class StorageService extends ManagedResourceBase {
  readonly path: string;
  private readonly quotaBytes: number;
  private readonly cleanupIntervalMs: number;
  private readonly index = new Map<string, StoredFile>();
  private usedBytes = 0;
  /** Bytes of writes under way, held against the quota until they land. */
  private reservedBytes = 0;
  private readonly ops: StorageOperations = { read: 0, write: 0, delete: 0 };
  private errors = 0;
  /** Per name, the write, delete or expiry running on it: they run one after another. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private cleanupTimer?: NodeJS.Timeout;
  /** Whether the folder has been scanned since the last init (a failed init has not). */
  private opened = false;

  constructor(
    @Inject(STORAGE_OPTIONS) options: StorageOptions,
    registry: ResourceRegistry,
    @Optional() @Inject(STORAGE_FS) private readonly fs: StorageFs = realFs,
  ) {
    super(STORAGE_RESOURCE_NAME, ResourceType.FILE_STORAGE, { required: false });
    this.path = resolve(options.directory);
    this.quotaBytes = options.quotaBytes;
    this.cleanupIntervalMs = options.cleanupIntervalMs;
    registry.register(this);
  }

  get usagePercent(): number {
    return round((this.usedBytes / this.quotaBytes) * 100, 1);
  }

  /**
   * Stores `data` under `name`, replacing what was there, atomically.
   * @throws InvalidInputError (400) bad name or ttlS · InsufficientStorageError (507) over quota
   */
  async write(
    name: string,
    data: Buffer | string,
    options: StorageWriteOptions = {},
  ): Promise<void> {
    assertValidName(name);
    const { ttlS } = options;
    if (ttlS !== undefined && !(Number.isFinite(ttlS) && ttlS > 0)) {
      throw new InvalidInputError('storage ttlS must be a positive number of seconds');
    }
    this.assertUsable();
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const bytes = HEADER_BYTES + body.length;
    const replaced = this.index.get(name)?.bytes ?? 0;
    if (this.usedBytes + this.reservedBytes - replaced + bytes > this.quotaBytes) {
      throw new InsufficientStorageError(
        `storage quota exceeded: ${bytes} bytes asked, ${this.quotaBytes - this.usedBytes - this.reservedBytes} free of ${this.quotaBytes}`,
      );
    }
    this.ops.write += 1;
    this.reservedBytes += bytes;
    try {
      await this.locked(name, async () => {
        const expiresAt = ttlS === undefined ? null : Date.now() + ttlS * 1000;
        const written = await this.io(() =>
          writeAtomically(this.fs, this.path, name, body, expiresAt),
        );
        this.forget(name);
        this.remember(name, { bytes: written, expiresAt });
      });
    } finally {
      this.reservedBytes -= bytes;
    }
  }

  /** The data stored under `name`, or `undefined` when there is none or it has expired. */
  async read(name: string): Promise<Buffer | undefined> {
    assertValidName(name);
    this.assertUsable();
    this.ops.read += 1;
    const content = await this.io(() => this.fs.readFile(join(this.path, name))).catch(
      (error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      },
    );
    if (!content) return undefined;
    const expiresAt = decodeHeader(content);
    if (expiresAt === undefined || this.expired(expiresAt)) return undefined;
    return content.subarray(HEADER_BYTES);
  }

  /** Removes `name`; resolves to whether there was a file. */
  async delete(name: string): Promise<boolean> {
    assertValidName(name);
    this.assertUsable();
    this.ops.delete += 1;
    return this.locked(name, () => this.remove(name));
  }

  /** The stored files that have not expired, by name. */
  list(): StoredFileInfo[] {
    this.assertUsable();
    return [...this.index.entries()]
      .filter(([, f]) => !this.expired(f.expiresAt))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, f]) => ({
        name,
        bytes: f.bytes,
        expires_at: f.expiresAt === null ? null : new Date(f.expiresAt).toISOString(),
      }));
  }

  /** Removes every expired file; resolves to how many went. Run by the timer and at init. */
  async removeExpired(): Promise<number> {
    const expired = [...this.index.entries()].filter(([, f]) => this.expired(f.expiresAt));
    let removed = 0;
    for (const [name] of expired) {
      const gone = await this.locked(name, async () => {
        const current = this.index.get(name);
        return current && this.expired(current.expiresAt) ? this.remove(name) : false;
      }).catch((error: unknown) => {
        this.logger.warn(`could not remove expired ${name}: ${(error as Error).message}`);
        return false;
      });
      if (gone) removed += 1;
    }
    return removed;
  }

  stats(): StorageStatus {
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      path: this.path,
      files: this.index.size,
      used_bytes: this.usedBytes,
      quota_bytes: this.quotaBytes,
      usage_percent: this.usagePercent,
      last_error: this.lastError ?? null,
    };
  }

  observe(): ResourceObservation {
    return observeStorage(this.stats(), this.ops, this.errors);
  }

  defineMetrics(m: MetricDefinitions): void {
    defineStorageMetrics(
      m,
      () => this.stats(),
      () => ({ ...this.ops }),
    );
  }

  selfTestPlan(): SelfTestPlan {
    return storageSelfTest(this);
  }

  /**
   * Starts the cleanup, then scans the folder. The timer runs even when the scan fails: the
   * probe that later finds the folder usable scans it, and the cleanup goes on from there.
   */
  protected async doInit(): Promise<void> {
    clearInterval(this.cleanupTimer);
    this.cleanupTimer = setInterval(() => {
      void this.removeExpired();
    }, this.cleanupIntervalMs);
    this.cleanupTimer.unref();
    await this.open();
  }

  /** Stops the cleanup and lets the writes and deletes under way finish. */
  protected async doShutdown(): Promise<void> {
    clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    await Promise.allSettled([...this.locks.values()]);
    this.opened = false;
  }

  /**
   * Unhealthy when a file cannot be created in the folder; degraded over 90 % of the quota.
   * After a failed init, a probe that finds the folder usable again scans it and recovers.
   */
  protected async probe(): Promise<ResourceHealth> {
    try {
      if (!this.opened) await this.open();
      const probe = join(this.path, `${TEMP_PREFIX}probe-${randomUUID()}`);
      await this.fs.writeFile(probe, '');
      await this.fs.unlink(probe);
    } catch (error) {
      const reason = `folder not writable: ${(error as Error).message}`;
      this.markError(reason);
      return { status: 'unhealthy', details: { path: this.path, error: reason } };
    }
    this.markRecovered();
    const details = { files: this.index.size, usage_percent: this.usagePercent };
    return {
      status: details.usage_percent > DEGRADED_ABOVE_PERCENT ? 'degraded' : 'healthy',
      details,
    };
  }

  /**
   * Creates the folder and rebuilds the index from it: temporary files (a crash's) and
   * expired files are removed, files that are not the storage's own are left alone.
   */
  private async open(): Promise<void> {
    this.opened = false;
    this.index.clear();
    this.usedBytes = 0;
    await this.fs.mkdir(this.path, { recursive: true });
    const foreign: string[] = [];
    for (const entry of await this.fs.readdir(this.path)) {
      const path = join(this.path, entry);
      if (isTempName(entry)) {
        await this.fs.unlink(path).catch(() => undefined);
        continue;
      }
      const stored = await readEntry(this.fs, path).catch(() => undefined);
      if (!stored || !isValidName(entry)) foreign.push(entry);
      else if (this.expired(stored.expiresAt)) await this.fs.unlink(path).catch(() => undefined);
      else this.remember(entry, stored);
    }
    if (foreign.length > 0) {
      this.logger.warn(
        `${foreign.length} file(s) in ${this.path} are not storage files: left alone`,
      );
    }
    this.opened = true;
  }

  private expired(expiresAt: number | null): boolean {
    return expiresAt !== null && expiresAt <= Date.now();
  }

  private remember(name: string, file: StoredFile): void {
    this.index.set(name, file);
    this.usedBytes += file.bytes;
  }

  private forget(name: string): void {
    const file = this.index.get(name);
    if (!file) return;
    this.index.delete(name);
    this.usedBytes -= file.bytes;
  }

  /** Unlinks `name` and forgets it; false when there was no file. Call it under the name's lock. */
  private async remove(name: string): Promise<boolean> {
    const existed = await this.io(() => this.fs.unlink(join(this.path, name))).then(
      () => true,
      (error: unknown) => {
        if (isMissing(error)) return false;
        throw error;
      },
    );
    this.forget(name);
    return existed;
  }

  /** Runs one file-system call, counting a failure other than "no such file" as an error. */
  private async io<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!isMissing(error)) {
        this.errors += 1;
        this.markError((error as Error).message);
      }
      throw error;
    }
  }

  /** Runs `task` once every earlier task on `name` has ended. */
  private locked<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(task);
    const settled = run.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return run;
  }
}
