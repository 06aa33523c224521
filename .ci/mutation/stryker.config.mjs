// StrykerJS settings shared by every area; .ci/mutation/run.mjs picks the files to mutate per area.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: false },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: '.ci/mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  reporters: ['clear-text', 'progress', 'json'],
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  ignoreStatic: true,
  cleanTempDir: 'always',
  tempDirName: '.tmp/stryker',
};
