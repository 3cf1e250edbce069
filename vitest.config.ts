import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The end-to-end files mostly wait on the app's jobs and the emulator's
    // answers, not on the CPU: four files at once on two cores.
    maxWorkers: 4,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts", "sandbox/**/*.ts"],
      exclude: ["sandbox/demo.ts"],
      reporter: ["text-summary"],
      thresholds: {
        "src/core/**": { lines: 90 },
        "src/config/**": { lines: 90 },
      },
    },
  },
});
