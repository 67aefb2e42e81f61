import { Effect } from "effect"
import type { HttpServer } from "effect/http"
import type { SqlClient } from "effect/sql"
import type { AccountAdmin } from "../src/Accounts/AccountAdmin.ts"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName = "anonymous" | "user" | "suspended" | "siteAdmin"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "user", "suspended", "siteAdmin"]

interface World {
  readonly user: TestUser
  readonly suspended: TestUser
  readonly siteAdmin: TestUser
}

type Needs = SqlClient.SqlClient | HttpServer.HttpServer | AccountAdmin

interface JobsCell {
  readonly token: string | undefined
}

const cell = (world: World, actor: ActorName) =>
  Effect.succeed({ token: actor === "anonymous" ? undefined : world[actor].token })

/** Site admins only; what they get shows they were let through (a 404 for a job that is not there). */
const adminOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  user: forbidden,
  suspended,
  siteAdmin: success
})

const rows: ReadonlyArray<Row<ActorName, World, JobsCell, Needs>> = [
  {
    operation: "queue depth per task",
    setup: cell,
    rest: (c) => call("GET", "/api/v1/admin/jobs/queues", { token: c.token }),
    rpc: (_c, _w, client) => client.GetJobQueues(),
    expect: adminOnly([200])
  },
  {
    operation: "list jobs",
    setup: cell,
    rest: (c) => call("GET", "/api/v1/admin/jobs?state=failed", { token: c.token }),
    rpc: (_c, _w, client) => client.ListJobs({ state: "failed" }),
    expect: adminOnly([200])
  },
  {
    operation: "retry a job",
    setup: cell,
    rest: (c) => call("POST", "/api/v1/admin/jobs/999999999/retry", { token: c.token }),
    rpc: (_c, _w, client) => client.RetryJob({ id: "999999999" }),
    expect: adminOnly([404, "JobNotFound"])
  },
  {
    operation: "retry a task's failed jobs",
    setup: cell,
    rest: (c) => call("POST", "/api/v1/admin/jobs/retry-failed", { token: c.token, body: { task: "NoSuchTask" } }),
    rpc: (_c, _w, client) => client.RetryFailedJobs({ task: "NoSuchTask" }),
    expect: adminOnly([200])
  },
  {
    operation: "cancel a job",
    setup: cell,
    rest: (c) => call("DELETE", "/api/v1/admin/jobs/999999999", { token: c.token }),
    rpc: (_c, _w, client) => client.CancelJob({ id: "999999999" }),
    expect: adminOnly([404, "JobNotFound"])
  },
  {
    operation: "list crons",
    setup: cell,
    rest: (c) => call("GET", "/api/v1/admin/jobs/crons", { token: c.token }),
    rpc: (_c, _w, client) => client.ListCrons(),
    expect: adminOnly([200])
  },
  {
    operation: "run a cron now",
    setup: cell,
    rest: (c) => call("POST", "/api/v1/admin/jobs/crons/NoSuchCron/run", { token: c.token }),
    rpc: (_c, _w, client) => client.RunCron({ task: "NoSuchCron" }),
    expect: adminOnly([404, "CronNotFound"])
  },
  {
    operation: "list workers",
    setup: cell,
    rest: (c) => call("GET", "/api/v1/admin/jobs/workers", { token: c.token }),
    rpc: (_c, _w, client) => client.ListWorkers(),
    expect: adminOnly([200])
  }
]

describeMatrix("Job operations authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    return {
      user: yield* signUp("User"),
      suspended: yield* suspendedUser,
      siteAdmin: yield* siteAdmin
    } satisfies World
  }).pipe(Effect.orDie),
  rows
})
