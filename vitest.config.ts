import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Workflow and end-to-end tests start real servers; a slow first start is not a failure.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run files in two forks, each with its own Temporal worker and database.
    pool: 'forks',
    maxWorkers: 2,
  },
});
