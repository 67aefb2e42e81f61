import { globSync, readFileSync } from "node:fs"
import { resolve } from "node:path"
import { defineConfig } from "vitest/config"

// The Node processes the tests start (servers, workers, the CLI) share a compile cache: each start
// then skips most of compiling and type-stripping Moim's modules, about a third of its start time.
process.env.NODE_COMPILE_CACHE ??= resolve("node_modules/.cache/node-compile")

const report = process.env.MOIM_TEST_REPORT
const include = ["packages/*/test/**/*.test.ts"]

const tagged = (tag: string) =>
  include.flatMap((pattern) =>
    globSync(pattern).filter((file) => new RegExp(`@module-tag\\s+${tag}\\b`).test(readFileSync(file, "utf8")))
  )

/**
 * With `DATABASE_URL` (the run against PostgreSQL and Redis) the files tagged `no-database`,
 * `embedded-only` or `database-agnostic` are left out: they touch neither database nor Redis, ignore
 * `DATABASE_URL`, or check something the database cannot change, so they would only repeat what the
 * run on the embedded defaults already did. Without it (the run on
 * the embedded defaults) the files tagged `postgres-only` are left out: they need PostgreSQL itself.
 */
const leftOut =
  (process.env.DATABASE_URL ?? "") === ""
    ? tagged("postgres-only")
    : [...tagged("no-database"), ...tagged("embedded-only"), ...tagged("database-agnostic")]

export default defineConfig({
  test: {
    include,
    exclude: ["**/node_modules/**", ...leftOut],
    globalSetup: ["packages/server/test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    // Files share their worker process (each still builds its own server and database): loading Effect
    // and the server's modules once per worker instead of once per file saves about a quarter of the
    // suite's CPU time. Tests therefore keep no state in modules, globals or process.env.
    isolate: false,
    // Each test's database is dropped WITH (FORCE) when its file ends. A pool still closing then
    // (graphile-worker's, just after its runner stopped) has its connection terminated by the server
    // (57P01, "terminating connection due to administrator command"), and pg reports that as an
    // unhandled error. It is the harness's own teardown, not a defect of the code under test: ignore
    // exactly that, and report every other unhandled error.
    onUnhandledError: (error) =>
      !(
        ("code" in error && error.code === "57P01") ||
        String(error.message).includes("terminating connection due to administrator command")
      ),
    // `npm run test:fast` leaves these out; tag a whole file with a `/** @module-tag process */` line.
    tags: [
      {
        name: "no-database",
        description: "Touches neither a database nor Redis: runs in the embedded run only, not again with DATABASE_URL"
      },
      {
        name: "postgres-only",
        description:
          "Needs PostgreSQL itself (locks across processes, the command line against a server): runs in the DATABASE_URL run only"
      },
      {
        name: "embedded-only",
        description:
          "Starts Moim on its own embedded defaults, whatever DATABASE_URL says: runs in the embedded run only"
      },
      {
        name: "database-agnostic",
        description:
          "Uses a server, but checks what no database changes (the packed SDK as an integrator installs it): runs in the embedded run only"
      },
      {
        name: "process",
        description: "Starts Moim, Postgres or npm as child processes (or packs the SDK): slow, left out of test:fast"
      }
    ],
    reporters: report === undefined ? ["default"] : ["default", "json"],
    ...(report === undefined ? {} : { outputFile: { json: report } })
  }
})
