import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores: a small pool keeps property tests from starving each other.
    maxWorkers: 2,
    testTimeout: 60_000,
    // The JSON report is what .ci/run counts for its `N passed, N failed` line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
