/** The whole suite: unit specs and e2e tests (see jest.projects.js). */
const { unit, e2e } = require('./jest.projects');

module.exports = {
  // Child processes (redis-server, the server under SIGTERM) and reconnect timers of pools that
  // were closed can outlive a file by a moment; do not let that hold the run open.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [unit, e2e],
};
