import { defineConfig } from 'vitest/config';

// Tests run in forked processes (tfjs-wasm and sqlite3 are native/wasm modules that do not like
// sharing a worker thread); two forks match the two cores of the CI machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-tmp.ts', 'test/global-pg.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
