import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start servers and spawn the built CLI; two workers match the CI machine.
    maxWorkers: 2,
  },
});
