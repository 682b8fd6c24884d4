/**
 * The whole suite: unit specs and e2e tests (see jest.projects.js). No `forceExit`: every
 * handle a test opens (servers, sockets, child processes, pools, timers) is closed by the code
 * that opened it, so a run that does not exit by itself points at a real leak.
 */
const { unit, e2e } = require('./jest.projects');

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [unit, e2e],
};
