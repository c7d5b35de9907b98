import { defineConfig } from 'vitest/config';

// Temporal's native module must not be loaded in worker threads: every project runs in forks.
// Two test files at a time even on two cores: integration files mostly wait on servers, timers and child processes
// (vitest's default there would be one).
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          // Set-ups that bundle workflow code or install into the Python environment take longer on a busy machine.
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
