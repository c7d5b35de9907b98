import { defineConfig } from 'vitest/config';

// The fault suite (`npm run faults`): its own configuration, so `npm test` never runs it. One scenario file at a
// time: each kills and restarts servers and workers, and its random points must not compete with another's load.
export default defineConfig({
  test: {
    name: 'faults',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/faults/**/*.fault.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
  },
});
