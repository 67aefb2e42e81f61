/**
 * `npm run bench:chat`: how fast a chat message reaches everyone in a busy channel. 1,000 people
 * (`--clients`) in a group's `general` channel each hold a realtime stream (the RPC `Stream` over a
 * WebSocket of their own: effect/rpc's JSON protocol, `--client raw` or `effect`, see `openRawStream`)
 * on one of two Moim server processes; one of them sends
 * messages at a steady rate (`--rate` per second for `--seconds`) over HTTP, alternating between the
 * servers. Every delivery is timed from just before its send request to its arrival on each stream.
 * A worker process runs beside the servers: its sequencer numbers what the servers publish to the
 * stream's outbox, which is how a stored message reaches open streams on any instance. Both servers
 * and the worker share a scratch database on the local Postgres and the local Redis. See
 * docs/benchmarks.md.
 */
import { randomBytes, randomUUID } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { NodeSocket } from "@effect/platform-node"
import { layerRpcClientMiddleware } from "@moim/domain/Kit/RpcClientMiddleware"
import { Rpcs } from "@moim/domain/Rpcs"
import { hash } from "@node-rs/argon2"
import { Effect, Fiber, Layer, Option, Stream } from "effect"
import { RpcClient, RpcSerialization } from "effect/rpc"
import pg from "pg"
import { cpuSeconds, freePort, killAll, type ServerProcess, startServer } from "./processes.ts"
import { cleanUpOnExit, createDatabase, withDatabase } from "./seed.ts"
import { round, Samples } from "./stats.ts"

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "30" },
    client: { type: "string", default: "raw" },
    "keep-db": { type: "boolean", default: false }
  }
})
const clientCount = Number(args.clients)
const rate = Number(args.rate)
const seconds = Number(args.seconds)
if (
  !Number.isInteger(clientCount) ||
  clientCount < 2 ||
  !(rate > 0) ||
  !(seconds > 0) ||
  !["raw", "effect"].includes(args.client)
) {
  throw new Error(
    "--clients takes an integer of 2 or more; --rate and --seconds positive numbers; --client raw or effect"
  )
}
const messageCount = Math.max(1, Math.round(rate * seconds))

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres"
const redisUrl = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379"
const resultsDirectory = join(root, "bench", "results")
const stamp = `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}-chat`
const password = "chat-bench-password-1234"
const email = (index: number) => `chat-bench-${index}@moim.test`
const bodyPrefix = "chat bench "
/** Streams opened at a time while connecting: a thousand handshakes at once only measure the backlog. */
const connectBatch = 50
/** Sign-ins at a time: each is an argon2id verification on a server's thread pool. */
const signInConcurrency = 8

const log = (message: string) => console.log(`[bench:chat ${new Date().toISOString().slice(11, 19)}] ${message}`)

mkdirSync(resultsDirectory, { recursive: true })
const dataDirectory = mkdtempSync(join(tmpdir(), "moim-bench-chat-"))
const databaseName = await createDatabase(adminUrl)
const databaseUrl = withDatabase(adminUrl, databaseName)
log(`database ${databaseName} created`)

const closers: Array<() => Promise<void>> = []
/** Closes every stream the run opened. */
const closeStreams = async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
}
const cleanUp = cleanUpOnExit({
  adminUrl,
  databaseName,
  dataDirectory,
  keep: args["keep-db"],
  log,
  stop: async () => {
    await closeStreams()
    killAll()
  }
})

const environment: Record<string, string> = {
  NODE_ENV: "production",
  LOG_LEVEL: "Warn",
  HOST: "127.0.0.1",
  MOIM_SECRET: randomBytes(32).toString("base64url"),
  MOIM_DATA_DIR: dataDirectory,
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: "10",
  REDIS_URL: redisUrl,
  // Keys of their own (rate limits, presence, cache), apart from any other server on the same Redis.
  REDIS_KEY_PREFIX: "moim-bench-chat:",
  // One sender and a thousand sign-ins from one address: limits this high are checked but never refuse.
  RATE_LIMIT_USER: "1000000000",
  RATE_LIMIT_AUTH: "1000000000"
}

const startMoim = async (name: string) => {
  const port = await freePort()
  return startServer({
    name,
    script: join(root, "packages", "server", "src", "main.ts"),
    env: { ...environment, PORT: String(port) },
    port,
    readyPath: "/health/ready",
    logFile: join(resultsDirectory, `${stamp}-${name}.log`),
    cwd: root
  })
}

const startWorker = async () => {
  const port = await freePort()
  return startServer({
    name: "worker",
    script: join(root, "packages", "worker", "src", "main.ts"),
    env: { ...environment, WORKER_PORT: String(port) },
    port,
    readyPath: "/health/ready",
    logFile: join(resultsDirectory, `${stamp}-worker.log`),
    cwd: root
  })
}

interface Answer {
  readonly status: number
  readonly body: unknown
}

const request = async (
  server: ServerProcess,
  method: string,
  path: string,
  options: { readonly token?: string; readonly body?: unknown } = {}
): Promise<Answer> => {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` })
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) })
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? null : JSON.parse(text) }
}

const field = (body: unknown, name: string): unknown =>
  typeof body === "object" && body !== null && name in body ? (body as Record<string, unknown>)[name] : undefined

const expect = (answer: Answer, status: number, what: string) => {
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return answer.body
}

/** Runs `task` for every index, `concurrency` at a time. */
const pool = async (count: number, concurrency: number, task: (index: number) => Promise<void>) => {
  let next = 0
  const runner = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, runner))
}

/** Polls `done` every 100 ms until it holds or `limitMs` passes; says whether it held. */
const pollUntil = async (done: () => boolean, limitMs: number) => {
  const deadline = performance.now() + limitMs
  while (!done()) {
    if (performance.now() > deadline) return false
    await sleep(100)
  }
  return true
}

/** The users, straight into the migrated database, all with one argon2id hash of `password` (the server's parameters). */
const seedUsers = async (ids: ReadonlyArray<string>) => {
  const passwordHash = await hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 })
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(
      `INSERT INTO users (id, email, password_hash, nickname, role, status, email_verified_at, created_at, updated_at)
       SELECT id, email, $1, 'Chatter ' || n, 'user', 'active', now(), now(), now()
       FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS t (id, email, n)`,
      [passwordHash, ids, ids.map((_, index) => email(index))]
    )
  } finally {
    await client.end()
  }
}

/** Per-delivery bookkeeping, shared by every client's stream. */
const sentAt = new Float64Array(messageCount).fill(Number.NaN)
const seen = new Uint8Array(messageCount * clientCount)
const deliveredPerMessage = new Uint32Array(messageCount)
const latencies = new Samples()
/** Latencies by the 5-second slice in which their message was sent: does the delay grow with time? */
const sliceSeconds = 5
const slices: Array<Samples> = []
let sendStartedAt = Number.NaN
let deliveries = 0
let duplicates = 0
let lastDeliveryAt = 0
/** Events other than the benchmark's messages and heartbeats (presence, mostly). */
let otherEvents = 0
let heartbeats = 0
const otherTypes: Record<string, number> = {}
let streamFailures = 0
const streamFailureDetail: Record<string, number> = {}

/** One stream message on `client`'s stream: its type, and the message's text for `chat.message.created`. */
const receive = (client: number, type: string, body: string | undefined) => {
  if (type === "stream.heartbeat") {
    heartbeats += 1
    return
  }
  if (type !== "chat.message.created") {
    otherEvents += 1
    otherTypes[type] = (otherTypes[type] ?? 0) + 1
    return
  }
  const now = performance.now()
  if (body === undefined || !body.startsWith(bodyPrefix)) return
  const index = Number(body.slice(bodyPrefix.length))
  const sent = sentAt[index]
  if (sent === undefined || Number.isNaN(sent)) return
  const slot = index * clientCount + client
  if (seen[slot] === 1) {
    duplicates += 1
    return
  }
  seen[slot] = 1
  deliveredPerMessage[index] = (deliveredPerMessage[index] ?? 0) + 1
  deliveries += 1
  lastDeliveryAt = now
  const latency = now - sent
  latencies.add(latency)
  const slice = Math.floor((sent - sendStartedAt) / (sliceSeconds * 1000))
  let samples = slices[slice]
  if (samples === undefined) {
    samples = new Samples()
    slices[slice] = samples
  }
  samples.add(latency)
}

const streamFailed = (reason: string) => {
  streamFailures += 1
  streamFailureDetail[reason] = (streamFailureDetail[reason] ?? 0) + 1
}

const webSocketUrl = (server: ServerProcess) => `${server.baseUrl.replace("http", "ws")}/rpc/ws`

/**
 * One person's stream with the domain's RPC client (`--client effect`): a WebSocket of its own to
 * `server`, the client middleware a frontend uses, joined to the channel's topic, every message
 * decoded with its schema as an app would. `onReady` runs on `stream.ready`.
 */
const openEffectStream = (
  client: number,
  server: ServerProcess,
  token: string,
  topic: string,
  onReady: () => void
): Closer => {
  const protocol = RpcClient.layerProtocolSocket().pipe(
    Layer.provide([NodeSocket.layerWebSocket(webSocketUrl(server)), RpcSerialization.layerJson])
  )
  const program = Effect.gen(function* () {
    const rpc = yield* RpcClient.make(Rpcs, { disableTracing: true })
    yield* rpc.Stream({ topics: [topic] }).pipe(
      Stream.runForEach((message) =>
        Effect.sync(() => {
          if (message.type === "stream.ready") onReady()
          else
            receive(
              client,
              message.type,
              message.type === "chat.message.created" ? message.data.message.body : undefined
            )
        })
      )
    )
  }).pipe(
    Effect.provide(Layer.merge(protocol, layerRpcClientMiddleware(Effect.succeed(Option.some(token)))), {
      local: true
    }),
    Effect.scoped,
    Effect.catchCause((cause) => Effect.sync(() => streamFailed(String(cause).split("\n")[0] ?? "unknown")))
  )
  const fiber = Effect.runFork(program)
  return () => Effect.runPromise(Fiber.interrupt(fiber))
}

/**
 * The same stream over the same protocol with Node's `WebSocket` (`--client raw`): the RPC request
 * (`Stream`, the bearer token in its headers) and an `Ack` for every chunk, as effect/rpc's client
 * sends them, but each frame only `JSON.parse`d. A thousand schema-decoding clients cost the bench
 * process more CPU than the servers they measure; this one leaves the cores to the servers.
 */
const openRawStream = (
  client: number,
  server: ServerProcess,
  token: string,
  topic: string,
  onReady: () => void
): Closer => {
  const socket = new WebSocket(webSocketUrl(server))
  let closing = false
  socket.addEventListener("open", () =>
    socket.send(
      JSON.stringify({
        _tag: "Request",
        id: "0",
        tag: "Stream",
        payload: { topics: [topic] },
        headers: [["authorization", `Bearer ${token}`]]
      })
    )
  )
  socket.addEventListener("message", (event) => {
    const decoded: unknown = JSON.parse(String(event.data))
    for (const frame of Array.isArray(decoded) ? decoded : [decoded]) {
      const tag = field(frame, "_tag")
      if (tag === "Chunk") {
        const values = field(frame, "values")
        for (const value of Array.isArray(values) ? values : []) {
          const type = String(field(value, "type"))
          if (type === "stream.ready") onReady()
          else {
            const body = field(field(field(value, "data"), "message"), "body")
            receive(client, type, typeof body === "string" ? body : undefined)
          }
        }
        socket.send(JSON.stringify({ _tag: "Ack", requestId: field(frame, "requestId") }))
      } else if (tag !== "Pong") streamFailed(`${String(tag)}: ${JSON.stringify(frame).slice(0, 200)}`)
    }
  })
  socket.addEventListener("error", () => {
    if (!closing) streamFailed("WebSocket error")
  })
  socket.addEventListener("close", () => {
    if (!closing) streamFailed("WebSocket closed")
  })
  return async () => {
    closing = true
    socket.close()
  }
}

type Closer = () => Promise<void>
const openStream = args.client === "raw" ? openRawStream : openEffectStream

const cpuOf = (target: ServerProcess) => target.cpuSeconds() ?? Number.NaN

/** Busy and total jiffies of the whole machine, from `/proc/stat`; null off Linux. */
const machineTicks = () => {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number)
    const total = fields.reduce((sum, value) => sum + value, 0)
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total }
  } catch {
    return null
  }
}

/** CPU seconds so far of the Postgres backends serving the bench database (those connected now). */
const postgresCpu = (pids: ReadonlyArray<number>) => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0)

const postgresBackends = async () => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const result = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return result.rows.map((row) => row.pid)
  } finally {
    await client.end()
  }
}

try {
  // Servers first (the first to start applies the migrations), then the worker.
  const serverA = await startMoim("moim-a")
  const serverB = await startMoim("moim-b")
  const worker = await startWorker()
  const servers = [serverA, serverB]
  log(`servers on ${serverA.baseUrl} and ${serverB.baseUrl}, worker pid ${worker.pid}`)

  const userIds = Array.from({ length: clientCount }, () => randomUUID())
  await seedUsers(userIds)
  const tokens: Array<string> = new Array(clientCount)
  const signInStarted = performance.now()
  await pool(clientCount, signInConcurrency, async (index) => {
    const body = expect(
      await request(servers[index % 2]!, "POST", "/api/v1/auth/login", {
        body: { email: email(index), password, deviceName: "chat bench" }
      }),
      200,
      `signing in ${email(index)}`
    )
    tokens[index] = String(field(body, "accessToken"))
  })
  const signInSeconds = (performance.now() - signInStarted) / 1000
  log(`${clientCount} users signed in in ${signInSeconds.toFixed(1)} s`)

  // Person 0 makes the group (and with it `general`); everyone else joins it, which puts them in `general`.
  const ownerToken = tokens[0]!
  const group = expect(
    await request(serverA, "POST", "/api/v1/groups", {
      token: ownerToken,
      body: { name: "Chat benchmark", category: "other" }
    }),
    201,
    "creating the group"
  )
  const groupId = String(field(group, "id"))
  const joinStarted = performance.now()
  await pool(clientCount - 1, signInConcurrency, async (slot) => {
    const index = slot + 1
    expect(
      await request(servers[index % 2]!, "POST", `/api/v1/groups/${groupId}/join`, { token: tokens[index]!, body: {} }),
      200,
      "joining the group"
    )
  })
  const joinSeconds = (performance.now() - joinStarted) / 1000
  const channels = field(
    expect(
      await request(serverA, "GET", `/api/v1/groups/${groupId}/channels`, { token: ownerToken }),
      200,
      "listing the channels"
    ),
    "items"
  )
  const general = Array.isArray(channels)
    ? channels.find((channel: unknown) => field(channel, "name") === "general")
    : undefined
  const channelId = String(field(general, "id"))
  const members = field(
    expect(
      await request(serverA, "GET", `/api/v1/channels/${channelId}`, { token: ownerToken }),
      200,
      "reading the channel"
    ),
    "memberCount"
  )
  log(`${clientCount - 1} joined in ${joinSeconds.toFixed(1)} s; general ${channelId} has ${String(members)} members`)

  // Every person opens their stream, half on each server, `connectBatch` at a time.
  const topic = `channel:${channelId}`
  const connectStarted = performance.now()
  let ready = 0
  for (let from = 0; from < clientCount; from += connectBatch) {
    const to = Math.min(clientCount, from + connectBatch)
    for (let client = from; client < to; client++) {
      closers.push(
        openStream(client, servers[client % 2]!, tokens[client]!, topic, () => {
          ready += 1
        })
      )
    }
    if (!(await pollUntil(() => ready + streamFailures >= to, 60_000))) {
      throw new Error(`only ${ready} of ${to} streams were ready within 60 s`)
    }
  }
  if (streamFailures > 0) throw new Error(`${streamFailures} streams failed: ${JSON.stringify(streamFailureDetail)}`)
  const connectSeconds = (performance.now() - connectStarted) / 1000
  log(`${ready} streams open in ${connectSeconds.toFixed(1)} s`)

  // Each stream that opens tells the channel its person is online: wait until that wave is over.
  const settleStarted = performance.now()
  let lastOther = -1
  let quietSince = performance.now()
  const settled = await pollUntil(() => {
    if (otherEvents !== lastOther) {
      lastOther = otherEvents
      quietSince = performance.now()
    }
    return performance.now() - quietSince > 2_000
  }, 120_000)
  const settleSeconds = (performance.now() - settleStarted) / 1000
  const eventsWhileConnecting = otherEvents
  log(
    `${eventsWhileConnecting} other events (presence) while connecting; ${settled ? "quiet" : "not quiet"} after ${settleSeconds.toFixed(1)} s`
  )

  // The measured window: `messageCount` sends at `rate` per second, each timed from just before its request.
  const backends = await postgresBackends()
  const before = {
    machine: machineTicks(),
    postgres: postgresCpu(backends),
    servers: servers.map(cpuOf),
    worker: cpuOf(worker),
    bench: process.cpuUsage(),
    otherEvents
  }
  for (const server of [...servers, worker]) server.resetWindowPeak()
  const sendLatencies = new Samples()
  const sendFailures: Record<string, number> = {}
  const sends: Array<Promise<void>> = []
  sendStartedAt = performance.now()
  for (let index = 0; index < messageCount; index++) {
    const due = sendStartedAt + (index * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    const server = servers[index % 2]!
    sentAt[index] = performance.now()
    sends.push(
      request(server, "POST", `/api/v1/channels/${channelId}/messages`, {
        token: ownerToken,
        body: { body: `${bodyPrefix}${index}`, clientMessageId: randomUUID() }
      }).then(
        (answer) => {
          if (answer.status === 201) sendLatencies.add(performance.now() - (sentAt[index] ?? 0))
          else sendFailures[String(answer.status)] = (sendFailures[String(answer.status)] ?? 0) + 1
        },
        (error: unknown) => {
          sendFailures[String(error)] = (sendFailures[String(error)] ?? 0) + 1
        }
      )
    )
  }
  const lastSendStartedAt = performance.now()
  await Promise.all(sends)
  const sendsDoneAt = performance.now()
  const sent = sendLatencies.count
  const expected = sent * clientCount
  // Until everything sent has arrived everywhere, or nothing more arrives for 10 s.
  let lastDeliveries = -1
  let stalledSince = performance.now()
  await pollUntil(() => {
    if (deliveries !== lastDeliveries) {
      lastDeliveries = deliveries
      stalledSince = performance.now()
    }
    return deliveries >= expected || performance.now() - stalledSince > 10_000
  }, 300_000)
  const drainedAt = performance.now()
  const after = {
    machine: machineTicks(),
    postgres: postgresCpu(backends),
    servers: servers.map(cpuOf),
    worker: cpuOf(worker),
    bench: process.cpuUsage(before.bench)
  }
  const windowSeconds = (Math.max(lastDeliveryAt, sendsDoneAt) - sendStartedAt) / 1000
  const cpuWindow = (drainedAt - sendStartedAt) / 1000
  const sendSeconds = (lastSendStartedAt - sendStartedAt) / 1000 + 1 / rate
  const latency = latencies.summary()
  const sendLatency = sendLatencies.summary()
  const incomplete = Array.from(deliveredPerMessage).filter(
    (count, index) => count < clientCount && index < sent
  ).length
  const cpuCells = (cpu: number) =>
    `${round((cpu / cpuWindow) * 100, 0)}% | ${round((cpu * 1e6) / Math.max(1, deliveries), 1)}`
  const processRow = (target: ServerProcess, cpuBefore: number, cpuAfter: number) =>
    `| ${target.name} | ${cpuCells(cpuAfter - cpuBefore)} | ${target.windowPeakMiB()} |`
  const benchCpu = (after.bench.user + after.bench.system) / 1e6

  const report = [
    `# Chat delivery: ${clientCount.toLocaleString("en")} streams on two servers, one channel`,
    "",
    `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.version}, local Postgres and Redis; load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(", ")} at the end.`,
    "",
    `${clientCount.toLocaleString("en")} people in a group's \`general\` channel, each with an RPC \`Stream\` over a WebSocket of their own ` +
      `(${args.client === "raw" ? "Node's `WebSocket` speaking effect/rpc's JSON protocol, `--client raw`" : "effect/rpc's client with the domain's schemas, `--client effect`"}), half on each of two server processes (\`node packages/server/src/main.ts\`), ` +
      `one worker (\`node packages/worker/src/main.ts\`) sequencing the stream. One of them sends ${messageCount} messages, ` +
      `${rate} a second for ${seconds} s, over HTTP, alternating between the servers; they arrive on every stream, theirs included. ` +
      "Latency runs from just before the send request to the message's arrival on a stream, all timed in the bench process.",
    "",
    "| | |",
    "|---|---:|",
    `| messages sent (201) | ${sent} of ${messageCount}${Object.keys(sendFailures).length > 0 ? `, failures ${JSON.stringify(sendFailures)}` : ""} |`,
    `| messages per second sent | ${round(sent / sendSeconds, 1)} |`,
    `| deliveries | ${deliveries.toLocaleString("en")} of ${expected.toLocaleString("en")} (${round((deliveries / Math.max(1, expected)) * 100, 2)}%) |`,
    `| messages not delivered to everyone | ${incomplete} |`,
    `| duplicates | ${duplicates} |`,
    `| deliveries per second | ${round(deliveries / windowSeconds, 0).toLocaleString("en")} (over ${round(windowSeconds, 1)} s, first send to last delivery) |`,
    `| **delivery latency p50** | **${latency.p50} ms** |`,
    `| delivery latency p90 | ${latency.p90} ms |`,
    `| **delivery latency p99** | **${latency.p99} ms** |`,
    `| delivery latency max | ${latency.max} ms |`,
    `| send request (HTTP 201) p50 / p99 | ${sendLatency.p50} / ${sendLatency.p99} ms |`,
    "",
    `Delivery latency by when the message was sent (${sliceSeconds} s slices): steady figures mean the rate is sustained, growing ones a backlog.`,
    "",
    "| sent in | deliveries | p50 ms | p99 ms | max ms |",
    "|---|---:|---:|---:|---:|",
    ...slices.flatMap((samples, slice) => {
      if (samples === undefined) return []
      const summary = samples.summary()
      return [
        `| ${slice * sliceSeconds}–${(slice + 1) * sliceSeconds} s | ${samples.count.toLocaleString("en")} | ${summary.p50} | ${summary.p99} | ${summary.max} |`
      ]
    }),
    "",
    `Processes over the measured window (${round(cpuWindow, 1)} s, first send until everything arrived; 100% is one core):`,
    "",
    "| process | CPU | CPU µs per delivery | peak RSS MiB |",
    "|---|---:|---:|---:|",
    processRow(serverA, before.servers[0]!, after.servers[0]!),
    processRow(serverB, before.servers[1]!, after.servers[1]!),
    processRow(worker, before.worker, after.worker),
    `| bench (the ${clientCount} clients and the sender) | ${cpuCells(benchCpu)} | ${round(process.memoryUsage().rss / 2 ** 20, 1)} |`,
    `| Postgres (the ${backends.length} backends of the bench database) | ${cpuCells(after.postgres - before.postgres)} | |`,
    "",
    ...(before.machine === null || after.machine === null
      ? []
      : [
          `The whole machine was ${round(((after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total)) * 100, 0)}% busy over the window (all ${cpus().length} cores, everything running on it).`,
          ""
        ]),
    `The bench process shares the machine's ${cpus().length} cores with the servers, the worker, Postgres and Redis: ` +
      "its handling of every delivery competes with what it measures, so the latencies are an upper bound on the servers' own.",
    "",
    `Setup: ${clientCount} sign-ins in ${round(signInSeconds, 1)} s, ${clientCount - 1} joins in ${round(joinSeconds, 1)} s ` +
      `(\`general\` has ${String(members)} members), streams open in ${round(connectSeconds, 1)} s (${connectBatch} at a time), ` +
      `then ${eventsWhileConnecting.toLocaleString("en")} other events while connecting (each stream's presence reaches the others), ` +
      `${settled ? "quiet after" : "still arriving, measuring anyway, after"} ${round(settleSeconds, 1)} s. Other events during the window: ${(otherEvents - before.otherEvents).toLocaleString("en")}; ` +
      `by type over the whole run: ${JSON.stringify(otherTypes)}, and ${heartbeats.toLocaleString("en")} heartbeats.`,
    ""
  ].join("\n")
  const file = join(resultsDirectory, `${stamp}.md`)
  writeFileSync(file, report)
  console.log(`\n${report}`)
  log(`wrote ${relative(root, file)}`)
  await closeStreams()
  for (const started of [serverA, serverB, worker]) await started.stop()
} finally {
  await cleanUp()
}
