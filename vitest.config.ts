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
    // Files share their worker process (each still builds its own server and database): loading Effect
    // and the server's modules once per worker instead of once per file saves about a quarter of the
    // suite's CPU time. Tests therefore keep no state in modules, globals or process.env.
    isolate: false,
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
