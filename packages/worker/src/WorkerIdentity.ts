import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { Context, DateTime, Effect, Layer } from "effect"

/** Who this worker process is, as recorded in its heartbeats and shown to operators. */
export class WorkerIdentity extends Context.Service<
  WorkerIdentity,
  {
    readonly workerId: string
    readonly hostname: string
    readonly pid: number
    readonly startedAt: DateTime.Utc
  }
>()("@moim/worker/WorkerIdentity") {
  static readonly layer = Layer.effect(
    WorkerIdentity,
    Effect.gen(function* () {
      const host = hostname()
      return WorkerIdentity.of({
        workerId: `${host}-${process.pid}-${randomBytes(3).toString("hex")}`,
        hostname: host,
        pid: process.pid,
        startedAt: yield* DateTime.now
      })
    })
  )
}
