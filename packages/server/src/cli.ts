import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { Email, Nickname, Password } from "@moim/domain/Accounts/AccountFields"
import { JobId, type JobInfo, JobTask } from "@moim/domain/Ops/Jobs"
import { DateTime, Effect, Layer, Schema } from "effect"
import { AccountAdmin } from "./Accounts/AccountAdmin.ts"
import { AccountsLive } from "./Accounts/AccountsLive.ts"
import { EmailOwnership } from "./Accounts/EmailOwnership.ts"
import { JobOps } from "./Ops/JobOps.ts"
import { PlatformLive } from "./Platform.ts"
import { runMain } from "./platform/RunMain.ts"

const usage = `Usage:
  npm run moim -- create-admin --email <email> [--nickname <name>] [--password-stdin]
      Creates a site admin, or makes the existing account with that email an admin.
      The password comes from MOIM_ADMIN_PASSWORD, or from standard input with --password-stdin
      (never from the command line, where it would stay in the shell history).
  npm run moim -- jobs list [--state pending|running|failed] [--task <task>] [--limit <1-100>] [--cursor <next>]
      The queue's depth per task, then the jobs in one state (default: pending).
  npm run moim -- jobs failed [--task <task>] [--cursor <next>]  failed jobs (dead letters) with their last error
  npm run moim -- jobs retry <id>                 queue a failed job again
  npm run moim -- jobs retry-all <task>           queue every failed job of a task again
  npm run moim -- jobs cancel <id>                remove a pending or failed job
  npm run moim -- jobs crons                      the crons with their schedule, last and next run
  npm run moim -- jobs run <task>                 run a cron's task now
  npm run moim -- jobs workers                    the workers and their last heartbeat
Uses the same configuration as the server (DATABASE_URL, MOIM_DATA_DIR, ...).`

const CreateAdmin = Schema.Struct({ email: Email, password: Password, nickname: Nickname })

const createAdmin = (values: {
  readonly email?: string | undefined
  readonly nickname?: string | undefined
  readonly "password-stdin"?: boolean | undefined
}) =>
  Effect.gen(function* () {
    const password = values["password-stdin"]
      ? (readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "")
      : (process.env.MOIM_ADMIN_PASSWORD ?? "")
    const decoded = yield* Schema.decodeUnknownEffect(CreateAdmin)({
      email: values.email,
      password,
      nickname: values.nickname
    }).pipe(Effect.result)
    if (decoded._tag === "Failure") {
      process.stderr.write(
        `Invalid input (an email, a nickname, a 10-128 character password): ${decoded.failure.message}\n`
      )
      process.exitCode = 2
      return
    }
    const input = decoded.success
    const admin = yield* AccountAdmin
    const created = yield* admin.createAdmin(input).pipe(Effect.result)
    if (created._tag === "Failure") {
      process.stderr.write(`${created.failure.message}\n`)
      process.exitCode = 2
      return
    }
    const result = created.success
    process.stdout.write(
      result.created
        ? `Created site admin ${input.email} (${result.userId})\n`
        : `Made ${input.email} (${result.userId}) a site admin; its password is unchanged\n`
    )
  }).pipe(Effect.provide(AccountsLive.pipe(Layer.provide(EmailOwnership.none), Layer.provideMerge(PlatformLive))))

const refuse = (message: string) =>
  Effect.sync(() => {
    process.stderr.write(`${message}\n`)
    process.exitCode = 2
  })

const failWith = (error: { readonly message: string }) =>
  Effect.sync(() => {
    process.stderr.write(`${error.message}\n`)
    process.exitCode = 1
  })

const time = (value: DateTime.Utc | null) => (value === null ? "-" : DateTime.formatIso(value))

const jobLine = (job: JobInfo) =>
  [
    job.id,
    job.task,
    job.state,
    `attempts ${job.attempts}/${job.maxAttempts}`,
    `run at ${time(job.runAt)}`,
    ...(job.lockedBy === null ? [] : [`locked by ${job.lockedBy} since ${time(job.lockedAt)}`]),
    ...(job.lastError === null ? [] : [`last error: ${job.lastError.split("\n")[0] ?? ""}`])
  ].join("  ")

const print = (lines: ReadonlyArray<string>) => Effect.sync(() => process.stdout.write(`${lines.join("\n")}\n`))

const decodeId = Schema.decodeUnknownEffect(JobId)
const decodeTask = Schema.decodeUnknownEffect(JobTask)
const JobState = Schema.Literals(["pending", "running", "failed"])
const Limit = Schema.NumberFromString.pipe(
  Schema.decodeTo(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 })))
)

/** `jobs ...`: the job operations of the API, on the database directly. */
const jobs = (
  args: ReadonlyArray<string>,
  values: {
    readonly state?: string | undefined
    readonly task?: string | undefined
    readonly limit?: string | undefined
    readonly cursor?: string | undefined
  }
) =>
  Effect.gen(function* () {
    const ops = yield* JobOps
    const [command, argument] = args
    const task = values.task === undefined ? undefined : yield* decodeTask(values.task)
    const limit = values.limit === undefined ? undefined : yield* Schema.decodeUnknownEffect(Limit)(values.limit)
    switch (command) {
      case "list": {
        const state = yield* Schema.decodeUnknownEffect(JobState)(values.state ?? "pending")
        const queues = yield* ops.queues
        const listed = yield* ops.list({ state, task, limit, cursor: values.cursor })
        return yield* print([
          "task  pending  scheduled  running  failed",
          ...queues.tasks.map((row) => `${row.task}  ${row.pending}  ${row.scheduled}  ${row.running}  ${row.failed}`),
          "",
          `${state} jobs:`,
          ...(listed.items.length === 0 ? ["(none)"] : listed.items.map(jobLine)),
          ...(listed.nextCursor === null ? [] : ["", `more: --cursor ${listed.nextCursor}`])
        ])
      }
      case "failed": {
        const listed = yield* ops.list({ state: "failed", task, limit, cursor: values.cursor })
        return yield* print([
          ...(listed.items.length === 0 ? ["No failed jobs"] : listed.items.map(jobLine)),
          ...(listed.nextCursor === null ? [] : ["", `more: --cursor ${listed.nextCursor}`])
        ])
      }
      case "retry": {
        const job = yield* ops.retry(yield* decodeId(argument))
        return yield* print([`Queued job ${job.id} (${job.task}) again`])
      }
      case "retry-all": {
        const retriedTask = yield* decodeTask(argument)
        const result = yield* ops.retryFailed(retriedTask)
        return yield* print([`Queued ${result.retried} failed ${retriedTask} job(s) again`])
      }
      case "cancel": {
        const id = yield* decodeId(argument)
        yield* ops.cancel(id)
        return yield* print([`Cancelled job ${id}`])
      }
      case "crons": {
        const crons = yield* ops.crons
        return yield* print(
          crons.items.length === 0
            ? ["No crons registered: they are registered when a worker starts"]
            : crons.items.map(
                (cron) => `${cron.task}  "${cron.schedule}"  last ${time(cron.lastRun)}  next ${time(cron.nextRun)}`
              )
        )
      }
      case "run": {
        const job = yield* ops.runCron(yield* decodeTask(argument))
        return yield* print([`Queued job ${job.id} (${job.task}) to run now`])
      }
      case "workers": {
        const workers = yield* ops.workers
        return yield* print(
          workers.items.length === 0
            ? ["No worker has recorded a heartbeat"]
            : workers.items.map(
                (worker) =>
                  `${worker.workerId}  ${worker.hostname}  pid ${worker.pid}  ${worker.alive ? "alive" : "gone"}  last seen ${time(worker.lastSeenAt)}`
              )
        )
      }
      default:
        return yield* refuse(usage)
    }
  }).pipe(
    Effect.catchTags({
      SchemaError: (error) => refuse(`Invalid input: ${error.message}`),
      JobNotFound: failWith,
      JobNotFailed: failWith,
      JobRunning: failWith,
      CronNotFound: failWith
    }),
    Effect.provide(JobOps.layer.pipe(Layer.provideMerge(PlatformLive)))
  )

const program = Effect.gen(function* () {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: "string" },
      nickname: { type: "string", default: "Admin" },
      "password-stdin": { type: "boolean", default: false },
      state: { type: "string" },
      task: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      help: { type: "boolean", default: false }
    }
  })
  if (!values.help && positionals[0] === "create-admin") return yield* createAdmin(values)
  if (!values.help && positionals[0] === "jobs") return yield* jobs(positionals.slice(1), values)
  process.stdout.write(`${usage}\n`)
  process.exitCode = values.help ? 0 : 2
})

runMain(program)
