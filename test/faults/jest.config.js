// Fault-injection suite (`npm run test:faults`): the service as real child processes, killed with SIGKILL, its
// PostgreSQL and Redis restarted, the gateways and the platform failing. Kept out of `npm test` (whose testMatch is
// **/*.spec.ts) because it takes several minutes; files here are *.fault.ts. Reuses the main jest setup: one
// migrated database per run, its own Bull prefix, the test environment variables.
const base = require('../../package.json').jest;

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault.ts'],
  // Also drops the scenarios' own databases and Bull keys.
  globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
  // Scenarios wait for crash recovery and schedules; each bounds its own waits.
  testTimeout: 300_000,
  verbose: true,
};
