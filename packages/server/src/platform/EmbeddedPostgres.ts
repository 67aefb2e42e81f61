import { join, resolve } from "node:path"
import { Worker } from "node:worker_threads"
import { Context, Duration, Effect, Layer, Queue, Redacted } from "effect"
import type { PgliteWorkerData, PgliteWorkerEvent, PgliteWorkerRequest } from "./pglite/PgliteWorker.ts"
import { serverSourceDir } from "./SourcePaths.ts"

export interface EmbeddedPostgresOptions {
  /**
   * Directory holding the database (Moim passes `<MOIM_DATA_DIR>/pg`); created if missing.
   * Without it the database lives in memory and is lost on stop.
   */
  readonly dataDir?: string | undefined
  /**
   * A tarball written by `dump`. Alone, the database starts in memory from it; with a `dataDir`
   * that holds no database yet, the directory is initialised from it (an existing one is opened as is).
   */
  readonly snapshot?: string | undefined
  /** A connection idle inside a transaction this long is closed and rolled back, so it cannot block the others. Default 30 s. */
  readonly idleInTransactionTimeout?: Duration.Input | undefined
  /** Default 64; keep it above the sum of every pool that connects. */
  readonly maxConnections?: number | undefined
}

interface Diagnostic {
  readonly level: "Warning" | "Error"
  readonly message: string
}

const startTimeoutMillis = 120_000
const stopTimeoutMillis = 20_000

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/**
 * Creates the worker and subscribes to it in the same tick, so no early event can be missed.
 * Start and stop deadlines use real timers: they guard a thread, and must hold under a test clock too.
 */
const spawn = (data: PgliteWorkerData, report: (diagnostic: Diagnostic) => void) => {
  const worker = new Worker(join(serverSourceDir, "platform", "pglite", "PgliteWorker.ts"), { workerData: data })
  let stopping = false
  let failed = false
  const ready = new Promise<number>((resolvePort, reject) => {
    const deadline = setTimeout(() => reject(new Error(`not ready after ${startTimeoutMillis} ms`)), startTimeoutMillis)
    deadline.unref()
    worker.on("message", (event: PgliteWorkerEvent) => {
      if (event._tag === "Ready") resolvePort(event.port)
      else if (event._tag === "Failed") {
        failed = true
        reject(new Error(event.message))
      } else if (event._tag === "Warning") report({ level: "Warning", message: event.message })
      if (event._tag === "Ready" || event._tag === "Failed") clearTimeout(deadline)
    })
    worker.on("error", (error) => {
      reject(error)
      report({ level: "Error", message: `Embedded Postgres worker failed: ${error.stack ?? error.message}` })
    })
    worker.on("exit", (code) => {
      reject(new Error(`the worker exited with code ${code}`))
      if (!stopping)
        report({ level: "Error", message: `Embedded Postgres worker exited unexpectedly with code ${code}` })
    })
  })
  // The rejection is observed by whoever awaits `ready`; this keeps an early exit from being reported as unhandled.
  ready.catch(() => undefined)

  /** Asks the worker to close PGlite (flushing its data) and ends the thread, forcibly if it does not answer in time. */
  const stop = async () => {
    stopping = true
    // A worker that failed to start has nothing to flush; one still starting is let finish, so a
    // fresh data directory is not left half-initialised.
    if (!failed && worker.threadId !== -1) {
      await new Promise<void>((finish) => {
        const done = () => {
          clearTimeout(deadline)
          worker.off("message", onMessage)
          worker.off("exit", done)
          finish()
        }
        const onMessage = (event: PgliteWorkerEvent) => {
          if (event._tag === "Stopped") done()
        }
        const deadline = setTimeout(() => {
          report({ level: "Warning", message: "Embedded Postgres did not stop in time; terminating its worker" })
          done()
        }, stopTimeoutMillis)
        worker.on("message", onMessage)
        worker.on("exit", done)
        const request: PgliteWorkerRequest = { _tag: "Stop" }
        worker.postMessage(request)
      })
    }
    await worker.terminate()
  }

  return { worker, ready, stop }
}

/** Posts `request` and waits for the first event `select` answers; the worker ending first is a defect. */
const exchange = <A>(
  worker: Worker,
  request: PgliteWorkerRequest,
  select: (event: PgliteWorkerEvent) => Effect.Effect<A> | undefined
) =>
  Effect.callback<A>((resume) => {
    const onMessage = (event: PgliteWorkerEvent) => {
      const answer = select(event)
      if (answer === undefined) return
      unsubscribe()
      resume(answer)
    }
    const onExit = (code: number) => {
      unsubscribe()
      resume(Effect.die(new Error(`Embedded Postgres worker exited with code ${code} during ${request._tag}`)))
    }
    const unsubscribe = () => {
      worker.off("message", onMessage)
      worker.off("exit", onExit)
    }
    worker.on("message", onMessage)
    worker.on("exit", onExit)
    worker.postMessage(request)
    return Effect.sync(unsubscribe)
  })

/**
 * Postgres for the embedded mode: PGlite in a worker thread, served over the Postgres wire protocol
 * on 127.0.0.1, so `@effect/sql-pg` and graphile-worker connect to it like to any server.
 * Every connection shares one PGlite session; see `SessionSocketServer` for what that implies.
 */
export class EmbeddedPostgres extends Context.Service<
  EmbeddedPostgres,
  {
    /** `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable` */
    readonly url: Redacted.Redacted<string>
    readonly port: number
    /** Writes a gzipped snapshot of the whole database to `file`, waiting for open transactions to end first. */
    readonly dump: (file: string) => Effect.Effect<void>
  }
>()("@moim/server/platform/EmbeddedPostgres") {
  static readonly make = Effect.fn("EmbeddedPostgres.make")(function* (options: EmbeddedPostgresOptions) {
    const diagnostics = yield* Queue.unbounded<Diagnostic>()
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.flatMap(Queue.take(diagnostics), ({ level, message }) =>
          level === "Warning" ? Effect.logWarning(message) : Effect.logError(message)
        )
      )
    )
    const data: PgliteWorkerData = {
      dataDir: options.dataDir === undefined ? undefined : resolve(options.dataDir),
      snapshot: options.snapshot === undefined ? undefined : resolve(options.snapshot),
      idleInTransactionTimeoutMs: Duration.toMillis(options.idleInTransactionTimeout ?? Duration.seconds(30)),
      maxConnections: options.maxConnections ?? 64
    }
    const handle = yield* Effect.acquireRelease(
      Effect.try({
        try: () => spawn(data, (diagnostic) => Queue.offerUnsafe(diagnostics, diagnostic)),
        catch: (cause) => new Error(`Embedded Postgres failed to start: ${describe(cause)}`, { cause })
      }).pipe(Effect.orDie),
      (handle) => Effect.promise(handle.stop)
    )
    const port = yield* Effect.tryPromise({ try: () => handle.ready, catch: describe }).pipe(
      Effect.catch((reason) =>
        Effect.die(
          new Error(
            `Embedded Postgres failed to start (${data.dataDir ?? "in memory"}${data.snapshot === undefined ? "" : `, snapshot ${data.snapshot}`}): ${reason}`
          )
        )
      )
    )

    let nextDump = 0
    const dump = Effect.fn("EmbeddedPostgres.dump")(function* (file: string) {
      const id = ++nextDump
      const path = resolve(file)
      const error = yield* exchange(handle.worker, { _tag: "Dump", id, file: path }, (event) =>
        event._tag === "Dumped" && event.id === id ? Effect.succeed(event.error) : undefined
      )
      if (error !== undefined)
        return yield* Effect.die(new Error(`Embedded Postgres: dump to ${path} failed: ${error}`))
    })

    return EmbeddedPostgres.of({
      url: Redacted.make(`postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`),
      port,
      dump
    })
  })

  static readonly layer = (options: EmbeddedPostgresOptions = {}) =>
    Layer.effect(EmbeddedPostgres, EmbeddedPostgres.make(options))
}
