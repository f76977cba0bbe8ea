import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    // One database (and app) per worker, shared by the files that worker runs: a PGlite costs
    // 1–2 s and ~350 MB to start. Tests isolate themselves by creating their own teams.
    isolate: false,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
