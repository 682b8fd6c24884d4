import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configVariables } from './app-config';
import { renderEnvExample } from './env-example.render';
import { renderReadmeTable, withConfigTable } from './readme-table.render';

/** The repository root, from src/config (run with swc) or dist/config (compiled). */
const ROOT = join(__dirname, '..', '..');

export interface ConfigDocs {
  /** Path (relative to the repository root) to the content it should have. */
  [file: string]: string;
}

/**
 * What `.env.example` and README.md should contain now, generated from AppConfig's
 * declarations (the README keeps everything outside its config markers).
 */
export function generatedConfigDocs(root = ROOT): ConfigDocs {
  const variables = configVariables();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return {
    '.env.example': renderEnvExample(variables),
    'README.md': withConfigTable(readme, renderReadmeTable(variables)),
  };
}

/** `npm run config:docs`: rewrites the files that differ and names them. */
function main(): void {
  for (const [file, content] of Object.entries(generatedConfigDocs())) {
    const path = join(ROOT, file);
    const current = readFileSync(path, 'utf8');
    if (current === content) continue;
    writeFileSync(path, content);
    process.stdout.write(`config:docs: rewrote ${file}\n`);
  }
}

if (require.main === module) main();
