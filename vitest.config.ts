import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Rebuilds dist/ when a source is newer, for the tests that spawn the bin (which runs dist/).
    globalSetup: ['test/setup/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers under test bind to loopback on port 0, so files can run in parallel safely.
    fileParallelism: true,
  },
});
