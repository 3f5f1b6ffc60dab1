import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers under test bind to loopback on port 0, so files can run in parallel safely.
    fileParallelism: true,
  },
});
