import { MetricDefinitions, byLabel, single } from '../../common/metrics/metric-definitions';
import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import type { ResourceState, ResourceType } from '../registry/resource-state';
import { SELF_TEST_FILES, selfTestName } from './storage.constants';

/** The body of GET /resources/storage/status. */
export type StorageStatus = {
  name: string;
  type: ResourceType;
  state: ResourceState;
  /** The folder, absolute. */
  path: string;
  /** Stored files (expired ones until the cleanup removes them). */
  files: number;
  /** Bytes those files take on disk (each carries a 23-byte header). */
  used_bytes: number;
  /** STORAGE_QUOTA_MB, bytes. */
  quota_bytes: number;
  /** used_bytes, percent of quota_bytes (one decimal). */
  usage_percent: number;
  last_error: string | null;
};

/** Operations by kind since start, for `storage_operations_total{op}`. */
export type StorageOperations = { read: number; write: number; delete: number };

/** What observers see of the file storage: its reads, writes and deletes, and its usage. No pool. */
export function observeStorage(
  s: StorageStatus,
  ops: StorageOperations,
  errors: number,
): ResourceObservation {
  return {
    operations: ops.read + ops.write + ops.delete,
    errors,
    figures: {
      files: s.files,
      used_bytes: s.used_bytes,
      quota_bytes: s.quota_bytes,
      usage_percent: s.usage_percent,
    },
  };
}

/** The storage's series (its `defineMetrics`), read at each scrape. */
export function defineStorageMetrics(
  m: MetricDefinitions,
  status: () => StorageStatus,
  ops: () => StorageOperations,
): void {
  m.gauge('storage_files', 'Files held by the file storage.', [], () => single(status().files));
  m.gauge('storage_used_bytes', 'Bytes the file storage takes on disk.', [], () =>
    single(status().used_bytes),
  );
  m.gauge(
    'storage_quota_bytes',
    'Most bytes the file storage may hold (STORAGE_QUOTA_MB).',
    [],
    () => single(status().quota_bytes),
  );
  m.counter('storage_operations_total', 'File storage operations by kind.', ['op'], () =>
    byLabel('op', ops()),
  );
}

/** The subset of the storage its self-test uses. */
interface SelfTestStorage {
  write(name: string, data: string): Promise<unknown>;
  read(name: string): Promise<Buffer | undefined>;
  delete(name: string): Promise<boolean>;
}

/**
 * The storage's self-test: a probe file written, read back and deleted per round (three
 * operations); afterwards any probe file a failed round left is removed.
 */
export function storageSelfTest(storage: SelfTestStorage): SelfTestPlan {
  return {
    operations: [
      (round) => storage.write(selfTestName(round), `self-test ${round}`),
      async (round) => {
        if ((await storage.read(selfTestName(round)))?.toString('utf8') !== `self-test ${round}`) {
          throw new Error('file written a moment ago was not read back');
        }
      },
      (round) => storage.delete(selfTestName(round)),
    ],
    cleanup: (rounds) =>
      Promise.all(
        Array.from({ length: Math.min(rounds, SELF_TEST_FILES) }, (_, i) =>
          storage.delete(selfTestName(i)).catch(() => false),
        ),
      ),
  };
}
