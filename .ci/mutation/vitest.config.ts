import { defineConfig } from 'vitest/config';

// The tests a mutation run uses: the area's own (TASKWAIT_MUTATION_TESTS, comma-separated globs).
// The CLI tests are left out everywhere: they run the built bin, which no mutant reaches.
// Stryker runs vitest in worker threads, where a test can't switch its zone: set it for the process.
// Dates read as UTC must differ from dates read as local time for a mutant there to be seen.
process.env.TZ = 'America/New_York';

const include = (process.env.TASKWAIT_MUTATION_TESTS ?? 'test/**/*.test.ts').split(',');

export default defineConfig({
  test: {
    include,
    exclude: ['test/cli/**', 'test/reliability/soak.test.ts', 'node_modules/**'],
    environment: 'node',
    restoreMocks: true,
    testTimeout: 20_000,
  },
});
