/**
 * The two Jest projects, shared by jest.config.js (the whole suite) and jest.unit.config.js
 * (unit specs only: Stryker's mutation runs). Unit specs live beside the code
 * (src/**\/*.spec.ts); e2e specs in test/ talk to the real PostgreSQL and Redis. Jest cannot
 * require() ES modules on Node 20, so the few ESM-only packages in the dependency tree are
 * compiled to CommonJS by swc (transformIgnorePatterns).
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const ESM_ONLY = ['content-disposition', '@apidevtools/json-schema-ref-parser'];
const common = {
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Stryker's sandboxes (copies of the project) are not part of it. Relative to rootDir, so a
  // run inside a sandbox still sees its own files.
  modulePathIgnorePatterns: ['<rootDir>/\\.stryker-tmp'],
};

module.exports = {
  unit: {
    ...common,
    displayName: 'unit',
    rootDir: `${__dirname}/src`,
    testMatch: ['**/*.spec.ts'],
  },
  e2e: {
    ...common,
    displayName: 'e2e',
    rootDir: __dirname,
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    globalSetup: '<rootDir>/test/support/global-setup.ts',
    // 60 s per test (Jest ignores `testTimeout` inside a project; see the file).
    setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
  },
};
