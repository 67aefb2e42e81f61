import { createServer, type Socket } from "node:net"
import type { PGlite } from "@electric-sql/pglite"
import { CANCEL_REQUEST_CODE, SSL_REQUEST_CODE } from "@electric-sql/pglite-socket"

/**
 * A Postgres-wire server in front of one PGlite instance, safe for many concurrent connections.
 *
 * PGlite is a single backend session, so every connection shares it. To keep connections from
 * corrupting each other, one connection at a time owns the backend: it keeps it from its first
 * message until the backend is back at an idle `ReadyForQuery`, i.e. for a whole extended-query
 * cycle (up to `Sync`) or simple `Query`, and for as long as it has a transaction open. Other
 * connections queue, first come first served. An owner that goes silent while holding the backend
 * is cut off after `idleInTransactionTimeoutMs`, its transaction rolled back.
 *
 * Named prepared statements would still collide in the one shared session, so their names are
 * rewritten per connection (`c<id>:<name>`) and closed when the connection goes away.
 * Notifications reach only the connection whose commit delivered them, so they are copied to
 * every other connection too; clients drop those for channels they do not listen on. `LISTEN`
 * therefore works across connections, but stays registered after its connection closes. Session
 * settings (`SET`, startup parameters), temporary tables and advisory locks are shared.
 */
export interface SessionSocketServer {
  readonly port: number
  /** Runs `task` while no connection owns the backend (e.g. to dump the data directory). */
  readonly exclusive: <A>(task: () => Promise<A>) => Promise<A>
  /** Stops listening, disconnects every client (rolling back open transactions) and waits until the backend is idle. */
  readonly close: () => Promise<void>
}

export interface SessionSocketServerOptions {
  readonly db: PGlite
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  readonly maxConnections: number
  /** 0 disables the timeout. */
  readonly idleInTransactionTimeoutMs: number
  readonly onWarning: (message: string) => void
}

const GSSENC_REQUEST_CODE = 80877104
const MAX_STARTUP_LENGTH = 10_000
const MAX_MESSAGE_LENGTH = 1 << 30

const QUERY = 0x51
const SYNC = 0x53
const FUNCTION_CALL = 0x46
const PARSE = 0x50
const BIND = 0x42
const DESCRIBE = 0x44
const CLOSE = 0x43
const TERMINATE = 0x58
const STATEMENT = 0x53
const NOTIFICATION_RESPONSE = 0x41

/** Messages after which the backend answers `ReadyForQuery`, ending the cycle. */
const endsCycle = (type: number | undefined) => type === SYNC || type === QUERY || type === FUNCTION_CALL

const frame = (type: number, body: Buffer): Buffer => {
  const header = Buffer.alloc(5)
  header[0] = type
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}

const syncMessage = frame(SYNC, Buffer.alloc(0))
const rollbackMessage = frame(QUERY, Buffer.from("ROLLBACK\0"))
const closeStatementMessage = (name: string) => frame(CLOSE, Buffer.from(`S${name}\0`))

const fatal = (code: string, message: string) =>
  frame(0x45, Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8"))

/** Collects the NotificationResponse messages of a backend output stream that arrives in arbitrary chunks. */
const notificationScanner = () => {
  const notifications: Array<Buffer> = []
  let header: Buffer = Buffer.alloc(0)
  let remaining = 0
  let captured: Array<Buffer> | undefined
  const scan = (chunk: Buffer) => {
    let offset = 0
    while (offset < chunk.length) {
      if (remaining > 0) {
        const end = Math.min(chunk.length, offset + remaining)
        captured?.push(chunk.subarray(offset, end))
        remaining -= end - offset
        offset = end
      } else {
        const take = Math.min(5 - header.length, chunk.length - offset)
        header =
          header.length === 0 && take === 5
            ? chunk.subarray(offset, offset + 5)
            : Buffer.concat([header, chunk.subarray(offset, offset + take)])
        offset += take
        if (header.length < 5) return
        remaining = header.readInt32BE(1) - 4
        captured = header[0] === NOTIFICATION_RESPONSE ? [header] : undefined
        header = Buffer.alloc(0)
      }
      if (remaining === 0 && captured !== undefined) {
        notifications.push(Buffer.concat(captured))
        captured = undefined
      }
    }
  }
  return { scan, notifications }
}

interface Connection {
  readonly _tag: "Connection"
  readonly id: number
  readonly socket: Socket
  readonly prefix: Buffer
  /** Backend names of the statements this connection has prepared. */
  readonly statements: Set<string>
  inbox: Buffer
  started: boolean
  /** The backend has answered its startup packet, so asynchronous messages may be sent to it. */
  ready: boolean
  startupPacket: Buffer | undefined
  frames: Array<Buffer>
  /** The client sent Terminate after the frames still pending. */
  terminating: boolean
  closed: boolean
  queued: boolean
  idleTimer: ReturnType<typeof setTimeout> | undefined
}

interface Task {
  readonly _tag: "Task"
  readonly run: () => Promise<void>
}

const hasWork = (connection: Connection) => connection.startupPacket !== undefined || connection.frames.length > 0

/** Inserts the connection's prefix before the NUL-terminated name at `offset`, unless the name is empty. */
const prefixName = (connection: Connection, message: Buffer, offset: number): Buffer => {
  if (offset >= message.length || message[offset] === 0) return message
  const renamed = Buffer.concat([message.subarray(0, offset), connection.prefix, message.subarray(offset)])
  renamed.writeInt32BE(renamed.length - 1, 1)
  return renamed
}

const nameAt = (message: Buffer, offset: number) => message.toString("utf8", offset, message.indexOf(0, offset))

/** Gives named prepared statements per-connection names; portals need none as they never outlive a cycle or transaction. */
const rewrite = (connection: Connection, message: Buffer): Buffer => {
  switch (message[0]) {
    case PARSE: {
      const renamed = prefixName(connection, message, 5)
      if (renamed !== message) connection.statements.add(nameAt(renamed, 5))
      return renamed
    }
    case BIND:
      return prefixName(connection, message, message.indexOf(0, 5) + 1)
    case DESCRIBE:
      return message[5] === STATEMENT ? prefixName(connection, message, 6) : message
    case CLOSE: {
      if (message[5] !== STATEMENT) return message
      const renamed = prefixName(connection, message, 6)
      if (renamed !== message) connection.statements.delete(nameAt(renamed, 6))
      return renamed
    }
    default:
      return message
  }
}

const listen = (options: SessionSocketServerOptions): Promise<SessionSocketServer> => {
  const { db } = options
  const connections = new Set<Connection>()
  const queue: Array<Connection | Task> = []
  let owner: Connection | undefined
  let nextId = 1
  let closing = false

  const execute = (message: Uint8Array, onData: (data: Uint8Array) => void) =>
    db.runExclusive(() => db.execProtocolRawStream(message, { onRawData: onData }))

  const discard = () => undefined

  /** Returns the backend to an idle state after a connection that may have left it mid-cycle or in a transaction. */
  const reset = async (connection: Connection) => {
    await execute(syncMessage, discard)
    if (db.isInTransaction()) await execute(rollbackMessage, discard)
    if (connection.statements.size > 0) {
      const closes = [...connection.statements].map(closeStatementMessage)
      connection.statements.clear()
      await execute(Buffer.concat([...closes, syncMessage]), discard)
    }
  }

  const runBatch = async (connection: Connection) => {
    const startup = connection.startupPacket
    const frames = connection.frames
    connection.startupPacket = undefined
    connection.frames = startup === undefined ? [] : frames
    const message = startup ?? Buffer.concat(frames)
    const { socket } = connection
    const scanner = notificationScanner()
    socket.cork()
    try {
      await execute(message, (data) => {
        const copy = Buffer.from(data)
        scanner.scan(copy)
        if (!connection.closed) socket.write(copy)
      })
    } finally {
      socket.uncork()
    }
    if (startup !== undefined) connection.ready = true
    for (const notification of scanner.notifications) {
      for (const other of connections) {
        if (other !== connection && other.ready && !other.closed) other.socket.write(notification)
      }
    }
    return startup !== undefined || endsCycle(frames.at(-1)?.[0])
  }

  const clearIdleTimer = (connection: Connection) => {
    if (connection.idleTimer !== undefined) {
      clearTimeout(connection.idleTimer)
      connection.idleTimer = undefined
    }
  }

  const armIdleTimer = (connection: Connection) => {
    if (options.idleInTransactionTimeoutMs <= 0 || connection.idleTimer !== undefined) return
    connection.idleTimer = setTimeout(() => {
      connection.idleTimer = undefined
      if (owner !== connection || hasWork(connection)) return
      options.onWarning(
        `Embedded Postgres: closed connection ${connection.id}, idle in a transaction for ${options.idleInTransactionTimeoutMs} ms; its transaction was rolled back`
      )
      terminate(connection, fatal("25P03", "terminating connection due to idle-in-transaction timeout"))
    }, options.idleInTransactionTimeoutMs)
    connection.idleTimer.unref()
  }

  const enqueue = (connection: Connection) => {
    if (connection === owner || connection.queued) return
    connection.queued = true
    queue.push(connection)
  }

  const step = async (): Promise<"continue" | "wait"> => {
    if (owner === undefined) {
      const next = queue.shift()
      if (next === undefined) return "wait"
      if (next._tag === "Task") {
        await next.run()
        return "continue"
      }
      next.queued = false
      owner = next
    }
    const connection = owner
    if (connection.closed) {
      owner = undefined
      await reset(connection)
      return "continue"
    }
    if (!hasWork(connection)) {
      armIdleTimer(connection)
      return "wait"
    }
    clearIdleTimer(connection)
    const cycleEnded = await runBatch(connection)
    if (connection.terminating && !hasWork(connection)) terminate(connection)
    if (!connection.closed && cycleEnded && !db.isInTransaction()) {
      owner = undefined
      if (hasWork(connection)) enqueue(connection)
    }
    return "continue"
  }

  let pumping = false
  let woken = false
  const pump = () => {
    woken = true
    if (pumping) return
    pumping = true
    void (async () => {
      try {
        while (woken) {
          woken = false
          for (;;) {
            try {
              if ((await step()) === "wait") break
            } catch (error) {
              options.onWarning(`Embedded Postgres: backend call failed: ${String(error)}`)
              if (owner !== undefined) {
                const failed = owner
                terminate(failed, fatal("XX000", "embedded Postgres backend failed"))
              }
            }
          }
        }
      } finally {
        pumping = false
      }
    })()
  }

  const onClosed = (connection: Connection) => {
    if (connection.closed) return
    connection.closed = true
    clearIdleTimer(connection)
    connection.startupPacket = undefined
    connection.frames = []
    connection.inbox = Buffer.alloc(0)
    connections.delete(connection)
    if (connection !== owner) {
      const index = queue.indexOf(connection)
      if (index >= 0) queue.splice(index, 1)
      connection.queued = false
      // Its statements live on in the shared session until closed, which needs a turn at the backend.
      if (connection.statements.size > 0) enqueue(connection)
    }
    pump()
  }

  const terminate = (connection: Connection, error?: Buffer) => {
    if (connection.closed) return
    const { socket } = connection
    if (error !== undefined && socket.writable) socket.end(error, () => socket.destroy())
    else socket.destroy()
    onClosed(connection)
  }

  const onData = (connection: Connection, chunk: Buffer) => {
    if (connection.closed || connection.terminating) return
    const inbox = connection.inbox.length === 0 ? chunk : Buffer.concat([connection.inbox, chunk])
    let offset = 0
    let received = false
    while (!connection.closed && !connection.terminating) {
      const available = inbox.length - offset
      if (!connection.started) {
        if (available < 8) break
        const length = inbox.readInt32BE(offset)
        const code = inbox.readInt32BE(offset + 4)
        if (length < 8 || length > MAX_STARTUP_LENGTH)
          return terminate(connection, fatal("08P01", "invalid startup packet"))
        if (available < length) break
        const packet = inbox.subarray(offset, offset + length)
        offset += length
        if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
          connection.socket.write("N")
        } else if (code === CANCEL_REQUEST_CODE) {
          // PGlite has no other backend to signal; a cancel connection expects no answer.
          return terminate(connection)
        } else {
          connection.startupPacket = packet
          connection.started = true
          received = true
        }
        continue
      }
      if (available < 5) break
      const length = inbox.readInt32BE(offset + 1)
      if (length < 4 || length > MAX_MESSAGE_LENGTH)
        return terminate(connection, fatal("08P01", "invalid message length"))
      if (available < length + 1) break
      const message = inbox.subarray(offset, offset + length + 1)
      offset += length + 1
      if (message[0] === TERMINATE) {
        // Terminate must never reach PGlite: in its single-user mode it would end the backend for everyone.
        if (!hasWork(connection)) return terminate(connection)
        connection.terminating = true
        break
      }
      connection.frames.push(rewrite(connection, message))
      received = true
    }
    connection.inbox = inbox.subarray(offset)
    if (received) {
      clearIdleTimer(connection)
      enqueue(connection)
      pump()
    }
  }

  const server = createServer((socket) => {
    if (closing || connections.size >= options.maxConnections) {
      socket.end(fatal("53300", "sorry, too many clients already"))
      return
    }
    const id = nextId++
    const connection: Connection = {
      _tag: "Connection",
      id,
      socket,
      prefix: Buffer.from(`c${id}:`),
      statements: new Set(),
      inbox: Buffer.alloc(0),
      started: false,
      ready: false,
      startupPacket: undefined,
      frames: [],
      terminating: false,
      closed: false,
      queued: false,
      idleTimer: undefined
    }
    connections.add(connection)
    socket.setNoDelay(true)
    socket.on("data", (chunk) => onData(connection, chunk))
    socket.on("error", () => terminate(connection))
    socket.on("close", () => onClosed(connection))
  })

  const exclusive = <A>(task: () => Promise<A>): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      queue.push({ _tag: "Task", run: () => task().then(resolve, reject) })
      pump()
    })

  const close = async () => {
    closing = true
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const connection of connections) {
      terminate(connection, fatal("57P01", "terminating connection due to administrator command"))
    }
    await exclusive(() => Promise.resolve())
    await stopped
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => {
      server.off("error", reject)
      const address = server.address()
      if (address === null || typeof address === "string") {
        reject(new Error("Embedded Postgres: the socket server has no TCP address"))
        return
      }
      resolve({ port: address.port, exclusive, close })
    })
  })
}

export const SessionSocketServer = { listen }
