import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError, NotFoundAppError } from '../../common/errors/app-errors';
import { ModelConfigError } from './model-pool.errors';
import { isValidModelName, loadModelRegistryFile, parseModelRegistry } from './model-registry';
import { makeFakePool } from './testing/fake-model-loader';

const BAD_NAMES = [
  '../etc/passwd',
  '..',
  '.hidden',
  '-dash-first',
  '_under',
  'A B',
  'a b',
  'Local-Model',
  'a/b',
  'a\\b',
  '%2e%2e%2f',
  'local-model\n',
  'nul\u0000byte',
  'ünïcode',
  '',
  'x'.repeat(65),
];

describe('model names', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it.each(BAD_NAMES)('rejects %j with 400 everywhere, and never loads anything', async (name) => {
    expect(isValidModelName(name)).toBe(false);
    const { pool, loader } = makeFakePool();
    await expect(pool.withModel(name, () => 'x')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(pool.load(name)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(pool.unload(name)).rejects.toBeInstanceOf(InvalidInputError);
    expect(loader.loadCalls).toEqual([]);
  });

  it.each(['a', 'local-model', 'gpt-4o-mini', 'llama3.1_8b', 'x'.repeat(64)])(
    'accepts %j',
    (name) => expect(isValidModelName(name)).toBe(true),
  );

  it('answers 404 for a well-formed name that is not registered', async () => {
    const { pool } = makeFakePool();
    await expect(pool.withModel('not-registered', () => 'x')).rejects.toBeInstanceOf(
      NotFoundAppError,
    );
  });
});

describe('model registry file (MODEL_CONFIG)', () => {
  const spec = { name: 'm1', loader: 'wink', estimated_mb: 40 };

  it('accepts {models:[...]} and a bare array, defaulting options to {}', () => {
    expect(parseModelRegistry({ models: [spec] }, 'test')).toEqual([{ ...spec, options: {} }]);
    expect(parseModelRegistry([{ ...spec, options: { x: 1 }, description: 'd' }], 'test')).toEqual([
      { ...spec, options: { x: 1 }, description: 'd' },
    ]);
  });

  it.each([
    ['not a list', { models: 'x' }, 'expected {"models": [...]}'],
    ['empty', [], 'declares no models'],
    ['a path as name', [{ ...spec, name: '../x' }], 'models[0].name must match'],
    ['duplicate names', [spec, spec], 'duplicate model name m1'],
    ['unknown field', [{ ...spec, estimate: 1 }], 'unknown field(s): estimate'],
    ['zero size', [{ ...spec, estimated_mb: 0 }], 'estimated_mb must be a number > 0'],
    ['bad loader', [{ ...spec, loader: 'Bad Loader' }], 'loader must match'],
    ['options not an object', [{ ...spec, options: [] }], 'options must be an object'],
  ])('rejects %s', (_what, document, message) => {
    expect(() => parseModelRegistry(document, 'test')).toThrow(ModelConfigError);
    expect(() => parseModelRegistry(document, 'test')).toThrow(message);
  });

  it('reads a JSON file, and names the variable when the file is missing or broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'));
    const good = join(dir, 'models.json');
    writeFileSync(good, JSON.stringify({ models: [spec] }));
    expect(loadModelRegistryFile(good).map((s) => s.name)).toEqual(['m1']);

    expect(() => loadModelRegistryFile(join(dir, 'missing.json'))).toThrow(
      /MODEL_CONFIG=.*missing\.json: cannot read the file \(ENOENT\)/,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expect(() => loadModelRegistryFile(broken)).toThrow(/MODEL_CONFIG=.*: not valid JSON/);
  });
});
