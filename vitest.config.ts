import { defineConfig } from "vitest/config"

const report = process.env.MOIM_TEST_REPORT

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    globalSetup: ["packages/server/test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    // `npm run test:fast` leaves these out; tag a whole file with a `/** @module-tag process */` line.
    tags: [
      {
        name: "process",
        description: "Starts Moim, Postgres or npm as child processes (or packs the SDK): slow, left out of test:fast"
      }
    ],
    reporters: report === undefined ? ["default"] : ["default", "json"],
    ...(report === undefined ? {} : { outputFile: { json: report } })
  }
})
