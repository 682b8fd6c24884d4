// Mutation testing of the unit specs (not in CI: it takes minutes per module on two cores).
//   npm run test:mutation                                   the three cores below
//   npm run test:mutation -- --mutate 'src/resources/registry/**/*.ts'   one module
// Reports: reports/mutation/ (HTML) and the table printed at the end.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.unit.config.js' },
  // Each mutant runs only the specs that cover it.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/resources/registry/**/*.ts',
    'src/resources/model-pool/**/*.ts',
    'src/resources/cache/tiered-cache*.ts',
    '!**/*.spec.ts',
    '!**/testing/**',
  ],
  concurrency: 2,
  timeoutMS: 10000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: other runs' sandboxes, reports, build output, local data.
  ignorePatterns: ['/.stryker-tmp*', '/reports', '/dist', '/data', '/coverage'],
  cleanTempDir: true,
};
