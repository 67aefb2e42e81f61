import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, siteAdmin } from "./support/Actors.ts"
import { apiClient } from "./support/ApiClient.ts"
import { call } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

/** Adds a job the way the server does, waiting an hour so nothing picks it up; returns its id. */
const addJob = (task: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ readonly id: string }>`
      SELECT id::text AS id FROM graphile_worker.add_job(${task}, '{}'::json, run_at => now() + interval '1 hour')`
    return rows[0]?.id ?? ""
  }).pipe(Effect.orDie)

/** Marks a job as having used up its attempts, as the worker does after the last failure. */
const failJob = (id: string, error: string, minutesAgo: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      UPDATE graphile_worker._private_jobs
      SET attempts = max_attempts, last_error = ${error}, updated_at = now() - make_interval(mins => ${minutesAgo})
      WHERE id = ${id}::bigint`
  }).pipe(Effect.orDie)

const heartbeat = (workerId: string, minutesAgo: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      INSERT INTO worker_heartbeats (worker_id, hostname, pid, started_at, last_seen_at)
      VALUES (${workerId}, 'ops-test-host', 4242, now() - interval '1 hour', now() - make_interval(mins => ${minutesAgo}))`
  }).pipe(Effect.orDie)

layer(TestServer.layer(), { excludeTestServices: true })("Operator endpoints", (it) => {
  it.effect("the workers report refuses every credential but MOIM_OPS_TOKEN", () =>
    Effect.gen(function* () {
      const report = yield* (yield* apiClient(TestServer.opsToken)).ops.report({ query: {} })
      assert.deepStrictEqual({ ...report.queue }, { pending: 0, running: 0, failed: 0 })
      const user = yield* signUp("Curious")
      const admin = yield* siteAdmin
      for (const token of [undefined, "wrong-token", user.token, admin.token]) {
        const client = yield* apiClient(token)
        const refused = yield* Effect.flip(client.ops.report({ query: {} }))
        assert.strictEqual(refused._tag, "OpsUnauthorized", `token ${token === undefined ? "none" : "given"}`)
      }
    })
  )

  it.effect("the metrics endpoint refuses every credential but MOIM_OPS_TOKEN", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Scraper")
      const admin = yield* siteAdmin
      for (const token of [undefined, "wrong-token", user.token, admin.token]) {
        const refused = yield* call("GET", "/metrics", { token })
        assert.strictEqual(refused.status, 401)
        assert.strictEqual(refused.body._tag, "OpsUnauthorized")
      }
      yield* call("GET", "/api/v1/groups")
      const metrics = yield* call("GET", "/metrics", { token: TestServer.opsToken })
      assert.strictEqual(metrics.status, 200)
      assert.include(metrics.headers.get("content-type") ?? "", "text/plain")
      assert.match(metrics.text, /moim_cache_misses_total\{[^}]*namespace="groups:v3:list"[^}]*\} [1-9]/)
    })
  )

  it.effect("reports queue depth and the failed jobs, newest first, at most failedLimit", () =>
    Effect.gen(function* () {
      const client = yield* apiClient(TestServer.opsToken)
      const before = yield* client.ops.report({ query: {} })
      yield* addJob("OpsTestPending")
      const older = yield* addJob("OpsTestOlderFailure")
      const newer = yield* addJob("OpsTestNewerFailure")
      yield* failJob(older, "mailbox unavailable", 10)
      yield* failJob(newer, "payload rejected", 1)

      const report = yield* client.ops.report({ query: {} })
      assert.deepStrictEqual(
        { ...report.queue },
        {
          pending: before.queue.pending + 1,
          running: before.queue.running,
          failed: before.queue.failed + 2
        }
      )
      assert.deepStrictEqual(
        report.failedJobs.slice(0, 2).map((job) => [job.id, job.task, job.lastError, job.attempts === job.maxAttempts]),
        [
          [newer, "OpsTestNewerFailure", "payload rejected", true],
          [older, "OpsTestOlderFailure", "mailbox unavailable", true]
        ]
      )
      const limited = yield* client.ops.report({ query: { failedLimit: 1 } })
      assert.deepStrictEqual(
        limited.failedJobs.map((job) => job.id),
        [newer]
      )
    })
  )

  it.effect("lists workers by their last heartbeat and tells live ones from silent ones", () =>
    Effect.gen(function* () {
      yield* heartbeat("ops-test-silent", 30)
      yield* heartbeat("ops-test-live", 0)
      const report = yield* (yield* apiClient(TestServer.opsToken)).ops.report({ query: {} })
      const seen = report.workers
        .filter((worker) => worker.workerId.startsWith("ops-test-"))
        .map((worker) => [worker.workerId, worker.alive, worker.pid])
      assert.deepStrictEqual(seen, [
        ["ops-test-live", true, 4242],
        ["ops-test-silent", false, 4242]
      ])
    })
  )

  it.effect("lists jobs a page at a time, each job once, for pending and failed jobs alike", () =>
    Effect.gen(function* () {
      const admin = yield* siteAdmin
      const task = `PagedTask${Date.now()}`
      // Seven jobs due at the same instant: the id breaks the tie, and no page boundary may lose one.
      const ids: Array<string> = []
      for (let index = 0; index < 7; index++) ids.push(yield* addJob(task))
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE graphile_worker._private_jobs SET run_at = now() + interval '1 hour'
        WHERE id = ANY(${ids}::bigint[])`.pipe(Effect.orDie)
      const walk = (state: string) =>
        Effect.gen(function* () {
          const seen: Array<string> = []
          let cursor: string | null = null
          for (let page = 0; page < 10; page++) {
            const query: string = `/api/v1/admin/jobs?state=${state}&task=${task}&limit=3${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
            const response = yield* call("GET", query, { token: admin.token })
            assert.strictEqual(response.status, 200, response.text)
            const items = response.body.items as ReadonlyArray<{ readonly id: string }>
            assert.isAtMost(items.length, 3)
            seen.push(...items.map((item) => item.id))
            cursor = response.body.nextCursor as string | null
            if (cursor === null) break
          }
          return seen
        })
      assert.deepStrictEqual(
        yield* walk("pending"),
        [...ids].sort((a, b) => Number(a) - Number(b))
      )

      // Failed jobs come most recently failed first; all failed in one statement, so the id decides.
      for (const id of ids) yield* failJob(id, "boom", 0)
      yield* sql`UPDATE graphile_worker._private_jobs SET updated_at = now() WHERE id = ANY(${ids}::bigint[])`.pipe(
        Effect.orDie
      )
      assert.deepStrictEqual(
        yield* walk("failed"),
        [...ids].sort((a, b) => Number(b) - Number(a))
      )

      // A cursor is for its own list: another state or task refuses it.
      const first = yield* call("GET", `/api/v1/admin/jobs?state=failed&task=${task}&limit=3`, { token: admin.token })
      const cursor = String(first.body.nextCursor)
      const other = yield* call(
        "GET",
        `/api/v1/admin/jobs?state=pending&task=${task}&cursor=${encodeURIComponent(cursor)}`,
        {
          token: admin.token
        }
      )
      assert.strictEqual(other.status, 400, other.text)
      assert.strictEqual(other.body._tag, "InvalidCursor")
    })
  )
})
