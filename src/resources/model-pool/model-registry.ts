import { readFileSync } from 'node:fs';
import { InvalidInputError, NotFoundAppError } from '../../common/errors/app-errors';
import { MODEL_NAME_PATTERN } from './model-pool.constants';
import { ModelConfigError } from './model-pool.errors';
import { ModelSpec } from './model-pool.types';

/** Loader type names follow the same rule as model names, shorter. */
const LOADER_TYPE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;
const SPEC_KEYS = new Set(['name', 'loader', 'options', 'estimated_mb', 'description']);

/** True when `name` is a plain model name (the strict pattern; never a path). */
export function isValidModelName(name: unknown): name is string {
  return typeof name === 'string' && MODEL_NAME_PATTERN.test(name);
}

/** Throws InvalidInputError (400) unless `name` is a plain model name. */
export function assertModelName(name: unknown): asserts name is string {
  if (!isValidModelName(name)) {
    throw new InvalidInputError(
      `model name must match ${MODEL_NAME_PATTERN.source} (lower-case letters, digits, ".", "_", "-")`,
    );
  }
}

/**
 * Validates a registry document: `{"models": [spec, ...]}` or a bare array of specs. Each spec
 * has `name`, `loader`, `estimated_mb` (> 0) and optional `options` (object) and `description`.
 * Unknown keys are rejected so a typo does not silently fall back to a default.
 */
export function parseModelRegistry(document: unknown, source: string): ModelSpec[] {
  const list = Array.isArray(document)
    ? document
    : isPlainObject(document) && Array.isArray(document.models)
      ? document.models
      : undefined;
  if (!list) throw new ModelConfigError(`${source}: expected {"models": [...]} or an array`);
  if (list.length === 0) throw new ModelConfigError(`${source}: declares no models`);
  const seen = new Set<string>();
  return list.map((raw: unknown, index: number) => {
    const where = `${source}: models[${index}]`;
    if (!isPlainObject(raw)) throw new ModelConfigError(`${where} is not an object`);
    const unknown = Object.keys(raw).filter((k) => !SPEC_KEYS.has(k));
    if (unknown.length > 0) {
      throw new ModelConfigError(`${where} has unknown field(s): ${unknown.join(', ')}`);
    }
    const { name, loader, options = {}, estimated_mb, description } = raw;
    if (!isValidModelName(name)) {
      throw new ModelConfigError(`${where}.name must match ${MODEL_NAME_PATTERN.source}`);
    }
    if (seen.has(name)) throw new ModelConfigError(`${where}: duplicate model name ${name}`);
    seen.add(name);
    if (typeof loader !== 'string' || !LOADER_TYPE_PATTERN.test(loader)) {
      throw new ModelConfigError(`${where}.loader must match ${LOADER_TYPE_PATTERN.source}`);
    }
    if (!isPlainObject(options)) throw new ModelConfigError(`${where}.options must be an object`);
    if (typeof estimated_mb !== 'number' || !Number.isFinite(estimated_mb) || estimated_mb <= 0) {
      throw new ModelConfigError(`${where}.estimated_mb must be a number > 0`);
    }
    if (description !== undefined && typeof description !== 'string') {
      throw new ModelConfigError(`${where}.description must be a string`);
    }
    return { name, loader, options, estimated_mb, ...(description ? { description } : {}) };
  });
}

/** Reads and validates the JSON file MODEL_CONFIG points at. */
export function loadModelRegistryFile(path: string): ModelSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ModelConfigError(
      `MODEL_CONFIG=${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); fix the path or unset MODEL_CONFIG for the built-in registry`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError(
      `MODEL_CONFIG=${path}: not valid JSON (${(error as Error).message})`,
    );
  }
  return parseModelRegistry(document, `MODEL_CONFIG=${path}`);
}

/** The declared models, by name. Lookups validate the name first: a name is never a path. */
export class ModelRegistry {
  private readonly specs: ReadonlyMap<string, ModelSpec>;

  constructor(specs: readonly ModelSpec[]) {
    this.specs = new Map(specs.map((s) => [s.name, Object.freeze({ ...s })]));
  }

  /** Throws InvalidInputError (400) for a bad name, NotFoundAppError (404) for an unknown one. */
  get(name: unknown): ModelSpec {
    assertModelName(name);
    const spec = this.specs.get(name);
    if (!spec) throw new NotFoundAppError(`unknown model ${name}`);
    return spec;
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  all(): ModelSpec[] {
    return [...this.specs.values()];
  }

  names(): string[] {
    return [...this.specs.keys()];
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
