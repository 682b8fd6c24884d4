/**
 * The e2e tests' default timeout. Set here rather than as the e2e project's `testTimeout`:
 * Jest reads `testTimeout` from the global config only and ignores it inside `projects`, so
 * the e2e tests would otherwise get the 5 s default, too short on a loaded 2-core machine.
 */
jest.setTimeout(60_000);
