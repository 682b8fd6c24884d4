import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedConfigDocs } from './config-docs';

const ROOT = join(__dirname, '..', '..');

/**
 * `.env.example` and the README's configuration table are generated from AppConfig's
 * declarations; this fails when a committed copy differs from what the generator makes now.
 */
describe('the committed configuration docs', () => {
  it.each(Object.entries(generatedConfigDocs()))(
    '%s is what `npm run config:docs` writes',
    (file, generated) => {
      const committed = readFileSync(join(ROOT, file), 'utf8');
      try {
        expect(committed).toBe(generated);
      } catch (error) {
        (error as Error).message =
          `${file} has drifted from src/config/app-config.ts: run \`npm run config:docs\`\n\n` +
          (error as Error).message;
        throw error;
      }
    },
  );
});
