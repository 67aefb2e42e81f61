/**
 * Worker-thread entry that runs PGlite behind a {@link SessionSocketServer}, so that long queries
 * block this thread rather than the application's event loop. Node loads this file directly
 * (type stripping), so it imports only packages and erasable TypeScript.
 */
import { existsSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { parentPort, workerData } from "node:worker_threads"
import { PGlite } from "@electric-sql/pglite"
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm"
import { SessionSocketServer } from "./SessionSocketServer.ts"

export interface PgliteWorkerData {
  /** Where the database lives; without it the database is in memory. */
  readonly dataDir: string | undefined
  /** A `dumpDataDir` tarball to start from when `dataDir` holds no database yet. */
  readonly snapshot: string | undefined
  readonly idleInTransactionTimeoutMs: number
  readonly maxConnections: number
}

export type PgliteWorkerRequest =
  | { readonly _tag: "Dump"; readonly id: number; readonly file: string }
  | { readonly _tag: "Stop" }

export type PgliteWorkerEvent =
  | { readonly _tag: "Ready"; readonly port: number }
  | { readonly _tag: "Failed"; readonly message: string }
  | { readonly _tag: "Warning"; readonly message: string }
  | { readonly _tag: "Dumped"; readonly id: number; readonly error: string | undefined }
  | { readonly _tag: "Stopped" }

const checkpoint = Buffer.from("Q\0\0\0\x0fCHECKPOINT\0", "latin1")

const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error))

const open = async (data: PgliteWorkerData) => {
  const extensions = { pg_trgm }
  const loadSnapshot = async (snapshot: string) => new Blob([await readFile(snapshot)])
  if (data.dataDir === undefined) {
    return PGlite.create(
      data.snapshot === undefined ? { extensions } : { extensions, loadDataDir: await loadSnapshot(data.snapshot) }
    )
  }
  const fresh = !existsSync(join(data.dataDir, "PG_VERSION"))
  await mkdir(data.dataDir, { recursive: true })
  return PGlite.create(
    fresh && data.snapshot !== undefined
      ? { dataDir: data.dataDir, extensions, loadDataDir: await loadSnapshot(data.snapshot) }
      : { dataDir: data.dataDir, extensions }
  )
}

const main = async () => {
  const port = parentPort
  if (port === null) throw new Error("PgliteWorker must run in a worker thread")
  const send = (event: PgliteWorkerEvent) => port.postMessage(event)
  const data: PgliteWorkerData = workerData
  try {
    const db = await open(data)
    const server = await SessionSocketServer.listen({
      db,
      host: "127.0.0.1",
      port: 0,
      maxConnections: data.maxConnections,
      idleInTransactionTimeoutMs: data.idleInTransactionTimeoutMs,
      onWarning: (message) => send({ _tag: "Warning", message })
    })
    port.on("message", (request: PgliteWorkerRequest) => {
      switch (request._tag) {
        case "Dump":
          server
            .exclusive(async () => {
              // Raw protocol only: PGlite's own query helpers would route output through the last client's callback.
              await db.execProtocolRawStream(checkpoint, { onRawData: () => undefined })
              const tarball = await db.dumpDataDir("gzip")
              await writeFile(request.file, new Uint8Array(await tarball.arrayBuffer()))
            })
            .then(
              () => send({ _tag: "Dumped", id: request.id, error: undefined }),
              (error: unknown) => send({ _tag: "Dumped", id: request.id, error: describe(error) })
            )
          return
        case "Stop":
          server
            .close()
            .then(() => db.close())
            .catch((error: unknown) =>
              send({ _tag: "Warning", message: `Embedded Postgres: stop: ${describe(error)}` })
            )
            .finally(() => {
              send({ _tag: "Stopped" })
              port.close()
            })
          return
      }
    })
    send({ _tag: "Ready", port: server.port })
  } catch (error) {
    send({ _tag: "Failed", message: describe(error) })
    port.close()
  }
}

void main()
