import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/setup/node-warnings.ts'],
          // projects with different maxWorkers must run as separate groups: unit first, then integration
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/setup/node-warnings.ts'],
          // the run's id for every prefix and topic root; at the end, fails the run if any of them is left
          globalSetup: ['test/setup/leftovers.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // 2 cores: a few files at once, each with its own Redis prefix and topic root
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/setup/node-warnings.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
