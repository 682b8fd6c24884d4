// Mutation testing of the unit specs (not in CI: minutes to an hour per module on two cores).
//   npm run test:mutation                          all three cores, one after the other is faster:
//   MUTATION_MODULE=registry npm run test:mutation      one core (registry | model-pool | cache)
//   npm run test:mutation -- --mutate 'src/resources/cache/tiered-cache.l1.ts'   one file
// Each module keeps its own incremental file, so a second run re-tests only what changed.
// Reports: reports/mutation/<module>.html and the table printed at the end.

/** The three cores: the files mutated, and the specs that are that module's own net. */
const MODULES = {
  registry: {
    mutate: ['src/resources/registry/*.ts'],
    specs: ['<rootDir>/resources/registry/**/*.spec.ts'],
  },
  // The framework-free pool (the Nest service, controller, decorator and loaders are not the core).
  'model-pool': {
    mutate: [
      'src/resources/model-pool/{model-pool,evictor,leases,load-scheduler,model-loads,model-entry,eviction-policy}.ts',
      'src/resources/model-pool/model-pool.{context,util,status,errors}.ts',
    ],
    // Not the controller spec (it tests the HTTP mapping): it boots an app in beforeAll, so every
    // mutant it reaches counts as "static" and runs against all specs (measured: 40 % of the
    // mutants took 80 % of the run).
    specs: ['<rootDir>/resources/model-pool/*.spec.ts'],
    ignoreSpecs: ['/model-pool\\.controller\\.spec\\.ts$'],
  },
  cache: {
    mutate: ['src/resources/cache/tiered-cache*.ts'],
    specs: ['<rootDir>/resources/cache/**/*.spec.ts'],
    ignoreSpecs: ['/cache\\.controller\\.spec\\.ts$'], // boots an app in beforeAll, as above
  },
};

const chosen = process.env.MUTATION_MODULE;
if (chosen && !MODULES[chosen]) {
  throw new Error(`MUTATION_MODULE must be one of ${Object.keys(MODULES).join(', ')}`);
}
const modules = chosen ? [MODULES[chosen]] : Object.values(MODULES);
const name = chosen ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.unit.config.js',
    config: {
      testMatch: modules.flatMap((m) => m.specs),
      testPathIgnorePatterns: ['/node_modules/', ...modules.flatMap((m) => m.ignoreSpecs ?? [])],
      // A mutant that makes a test wait forever fails it in 3 s instead of Jest's 5 s, so the
      // run bails out well before Stryker's own timeout (which also restarts the runner).
      testTimeout: 3000,
    },
  },
  // Each mutant runs only the specs that cover it.
  coverageAnalysis: 'perTest',
  mutate: [...modules.flatMap((m) => m.mutate), '!**/*.spec.ts', '!**/testing/**'],
  concurrency: 2,
  // Generous: a hung test already fails in 3 s (above); this only catches a runner that never
  // answers. A short one counts slow-but-killable runs of many Redis-backed specs as timeouts.
  timeoutMS: 30000,
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: `.stryker-tmp-${name}`,
  // Not copied into the sandbox: other runs' sandboxes, reports, build output, local data.
  ignorePatterns: ['/.stryker-tmp*', '/reports', '/dist', '/data', '/coverage'],
  cleanTempDir: true,
};
