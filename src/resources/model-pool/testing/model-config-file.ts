import { AppConfig, validateConfig } from '../../../config/app-config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One model of a MODEL_CONFIG file, as a spec writes it (the loader fills in the rest). */
export interface ModelConfigEntry {
  name: string;
  loader: string;
  estimated_mb: number;
}

/** Writes a MODEL_CONFIG file (`{"models": [...]}`) in a fresh temporary folder; its path. */
export function writeModelConfig(models: ModelConfigEntry[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'model-config-')), 'models.json');
  writeFileSync(file, JSON.stringify({ models }));
  return file;
}

/**
 * A configuration over fake models `main` (preloaded, and MODEL_FALLBACK) and `remote` of loader
 * type `fake`, plus `extra`; `env` overrides any variable.
 */
export function fakeModelsConfig(
  env: Record<string, string> = {},
  extra: ModelConfigEntry[] = [],
): AppConfig {
  return validateConfig({
    MODEL_CONFIG: writeModelConfig([
      { name: 'main', loader: 'fake', estimated_mb: 10 },
      { name: 'remote', loader: 'fake', estimated_mb: 10 },
      ...extra,
    ]),
    MODEL_PRELOAD: 'main',
    MODEL_FALLBACK: 'main',
    SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
}
