import { Logger } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../../config/app-config';
import { storageOptions } from '../../../config/resource-options';
import { ResourceRegistry } from '../../registry/resource-registry.service';
import { StorageFs, realFs } from '../storage.files';
import { StorageService } from '../storage.service';

// State transitions log at info/warn; keep test output to real problems.
Logger.overrideLogger(['error']);

/** A fresh folder for one spec; `remove()` deletes it. */
export function tempFolder(): { dir: string; remove: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'storage-spec-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A StorageService built by hand, as Nest would, on `dir`, with `fs` (node's by default). */
export function createStorage(
  dir: string,
  env: Record<string, string> = {},
  fs: StorageFs = realFs,
): { storage: StorageService; registry: ResourceRegistry } {
  const config = validateConfig({ NODE_ENV: 'test', STORAGE_DIR: dir, ...env });
  const registry = new ResourceRegistry();
  return { storage: new StorageService(storageOptions(config), registry, fs), registry };
}
