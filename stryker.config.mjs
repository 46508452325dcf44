// `npm run mutate` (docs/MUTATION.md, "StrykerJS"). Mutates src/domain and the services that have a unit
// spec in test/unit/services; the services without one are left out (the doc lists them), since every
// mutant there would survive for want of a test, not because a test is weak.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // the domain and service unit specs only: no Redis, broker or AWS stand-in
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  mutate: [
    'src/domain/**/*.ts',
    'src/services/activation-service.ts',
    'src/services/aws-retry.ts',
    'src/services/batch-cutter.ts',
    'src/services/batch-ids.ts',
    'src/services/delivery-service.ts',
    'src/services/enrollment-service.ts',
    'src/services/listing-service.ts',
    'src/services/node-quota-service.ts',
    'src/services/reconcile-service.ts',
    'src/services/retained-refresh.ts',
    'src/services/retention-service.ts',
    'src/services/tag-service.ts',
  ],
  // no mutants inside logger calls (scripts/stryker-log-calls.mjs)
  plugins: ['@stryker-mutator/*', './scripts/stryker-log-calls.mjs'],
  ignorers: ['log-calls'],
  coverageAnalysis: 'perTest',
  // the machine's 2 cores are shared
  concurrency: 1,
  tempDirName: '.stryker-tmp',
  // a re-run tests only the mutants whose code or covering tests changed
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
};
