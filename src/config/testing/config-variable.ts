import type { ConfigVariable } from '../app-config';

/** A declared variable for the renderers' specs: a `server` variable with a doc, unless told. */
export const configVariable = (
  fields: Partial<ConfigVariable> & { name: string },
): ConfigVariable => ({
  default: undefined,
  optional: fields.default === undefined,
  sensitive: false,
  doc: `What ${fields.name} does.`,
  section: 'server',
  ...fields,
});
