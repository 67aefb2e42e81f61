/**
 * `npm run bench`: Moim against the bare-metal baseline and a Fastify peer, side by side, on a fresh
 * seeded database.
 * See docs/benchmarks.md for what it measures and how to read the results.
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { dirname, join, relative } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import pg from "pg"
import { generate } from "./dataset.ts"
import { runHttp } from "./http-load.ts"
import { freePort, killAll, type ServerProcess, startServer } from "./processes.ts"
import { summarizeProfile } from "./profile.ts"
import { type Report, type Run, ratioOf, type ScenarioResult, type ServerMeasurement, writeReport } from "./report.ts"
import { runRpc } from "./rpc-load.ts"
import {
  defaultScenarios,
  type HttpScenario,
  pick,
  quickScenarios,
  type RpcScenario,
  type Scenario,
  type ScenarioContext,
  scenarios,
  signIn
} from "./scenarios.ts"
import { cleanUpOnExit, createDatabase, seed, withDatabase } from "./seed.ts"
import { type Measurement, round } from "./stats.ts"

const root = dirname(dirname(fileURLToPath(import.meta.url)))

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    scenarios: { type: "string" },
    connections: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    profile: { type: "string" },
    "no-profile": { type: "boolean", default: false },
    "keep-db": { type: "boolean", default: false },
    results: { type: "string" }
  }
})

const numbers = (text: string) => text.split(",").map((part) => Number(part.trim()))
const quick = args.quick
const connectionLevels = args.connections === undefined ? [16, 64] : numbers(args.connections)
const warmupSeconds = args.warmup === undefined ? (quick ? 2 : 10) : Number(args.warmup)
const seconds = args.seconds === undefined ? (quick ? 3 : 15) : Number(args.seconds)
const selected = args.scenarios === undefined ? (quick ? quickScenarios : defaultScenarios) : args.scenarios.split(",")
// After a full run the slowest scenario and the slowest read with a baseline are profiled; --quick
// profiles only what --profile names.
const profileTargets = args["no-profile"]
  ? []
  : (args.profile ?? (quick ? "" : "slowest,slowest-read")).split(",").filter((target) => target !== "")
const resultsDirectory = args.results ?? join(root, "bench", "results")
const maxConnections = Math.max(...connectionLevels)

for (const id of selected) {
  if (!scenarios.some((scenario) => scenario.id === id)) {
    throw new Error(`Unknown scenario ${id}; known: ${scenarios.map((scenario) => scenario.id).join(", ")}`)
  }
}
if (
  connectionLevels.some((level) => !Number.isInteger(level) || level < 1) ||
  !(seconds > 0) ||
  !(warmupSeconds >= 0)
) {
  throw new Error("--connections takes positive integers; --seconds and --warmup positive numbers")
}

/** `DATABASE_URL`, if set, is an admin connection: the bench creates its own database next to it. */
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres"
const redisUrl = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379"
const databasePoolSize = 10

const withoutPassword = (url: string) => {
  const parsed = new URL(url)
  if (parsed.password !== "") parsed.password = "***"
  return parsed.toString()
}

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
const uptime = () => {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim()
  } catch {
    return `load average: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(", ")}`
  }
}

/** The commit measured, and whether the working tree had changes on top of it. */
const codeVersion = () => {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim()
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--", "packages"], { cwd: root, encoding: "utf8" }) !== ""
    return { commit, dirty }
  } catch {
    return { commit: "unknown", dirty: false }
  }
}

const stamp = `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}${quick ? "-quick" : ""}`
mkdirSync(resultsDirectory, { recursive: true })
const dataDirectory = mkdtempSync(join(tmpdir(), "moim-bench-"))
const startedAt = new Date().toISOString()
const uptimeBefore = uptime()
log(`machine: ${uptimeBefore}`)

const dataset = generate()
const picks = pick(dataset, maxConnections)
const databaseName = await createDatabase(adminUrl)
const databaseUrl = withDatabase(adminUrl, databaseName)
log(`database ${databaseName} created`)

const cleanUp = cleanUpOnExit({
  adminUrl,
  databaseName,
  dataDirectory,
  keep: args["keep-db"],
  log,
  stop: killAll
})

const secret = randomBytes(32).toString("base64url")
const moimEnvironment = (port: number): Record<string, string> => ({
  NODE_ENV: "production",
  LOG_LEVEL: "Warn",
  HOST: "127.0.0.1",
  PORT: String(port),
  MOIM_SECRET: secret,
  MOIM_DATA_DIR: dataDirectory,
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: String(databasePoolSize),
  REDIS_URL: redisUrl,
  // Keys of their own, apart from any development server or test run on the same Redis.
  REDIS_KEY_PREFIX: "moim-bench:",
  // The load comes from a few users on one address: limits this high never refuse a request, so the
  // limiter's cost (a Redis round trip per request) is measured but it never caps the load.
  RATE_LIMIT_USER: "1000000000",
  RATE_LIMIT_AUTH: "1000000000"
})

/**
 * What `npm run start:server` (package.json) runs, so the figures are the production process's: its
 * last command (`... exec node <options> <entry>`), after the bundle is built if stale as the
 * script does first.
 */
const startServerCommand = (): { readonly nodeArgs: ReadonlyArray<string>; readonly entry: string } => {
  const scripts: unknown = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts
  const script =
    typeof scripts === "object" && scripts !== null && "start:server" in scripts ? String(scripts["start:server"]) : ""
  const words = (script.split("&&").at(-1) ?? "").trim().split(/\s+/)
  const node = words.indexOf("node")
  execFileSync(process.execPath, [join(root, "scripts", "bundle.ts"), "--if-stale"], { cwd: root, stdio: "inherit" })
  return { nodeArgs: words.slice(node + 1, -1), entry: join(root, words.at(-1) ?? "") }
}

const startMoim = async (nodeArgs: ReadonlyArray<string> = []) => {
  const port = await freePort()
  const command = startServerCommand()
  return startServer({
    name: "moim",
    script: command.entry,
    nodeArgs: [...command.nodeArgs, ...nodeArgs],
    env: moimEnvironment(port),
    port,
    readyPath: "/health/ready",
    logFile: join(resultsDirectory, `${stamp}-moim.log`),
    cwd: root
  })
}

/** A server of `bench/baseline/`: `server.ts` (the raw baseline) or `fastify.ts` (the Fastify peer). */
const startPeer = async (name: "baseline" | "fastify", file: string) => {
  const port = await freePort()
  return startServer({
    name,
    script: join(root, "bench", "baseline", file),
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(databasePoolSize),
      MOIM_SECRET: secret
    },
    port,
    readyPath: "/health",
    logFile: join(resultsDirectory, `${stamp}-${name}.log`),
    cwd: root
  })
}

/**
 * Sends connection 0's requests once, in order: a scenario runs only if every one succeeds. Gives
 * the answer to the last request, or what went wrong.
 */
const probeHttp = async (scenario: HttpScenario, context: ScenarioContext, server: ServerProcess) => {
  let last: unknown = null
  for (const request of scenario.requestsFor(context, 0)) {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (typeof value === "string") headers[name] = value
    }
    const response = await fetch(`${server.baseUrl}${request.path}`, {
      method: request.method ?? "GET",
      headers,
      body: typeof request.body === "string" ? request.body : null
    })
    const body = await response.text()
    if (response.status < 200 || response.status >= 300) {
      const path = request.path?.split("?")[0]
      return {
        problem: `${server.name} answered ${request.method} ${path} with ${response.status} ${body.slice(0, 120)}`
      }
    }
    last = body === "" ? null : JSON.parse(body)
  }
  return { answer: last }
}

/** A cursor's position, without its MAC: each server signs with a key of its own. */
const cursorPosition = (cursor: string) => cursor.split(".")[0]

/**
 * The first place two JSON values differ (`startedAt`, which differs by nature, aside; a `nextCursor`
 * by its position), or null.
 */
const firstDifference = (moim: unknown, baseline: unknown, path = "$"): string | null => {
  if (path.endsWith(".nextCursor") && typeof moim === "string" && typeof baseline === "string") {
    return cursorPosition(moim) === cursorPosition(baseline) ? null : path
  }
  if (typeof moim !== "object" || moim === null || typeof baseline !== "object" || baseline === null) {
    return Object.is(moim, baseline) ? null : path
  }
  if (Array.isArray(moim) !== Array.isArray(baseline)) return path
  const keys = new Set([...Object.keys(moim), ...Object.keys(baseline)])
  for (const key of keys) {
    if (key === "startedAt") continue
    const difference = firstDifference(
      (moim as Record<string, unknown>)[key],
      (baseline as Record<string, unknown>)[key],
      `${path}.${key}`
    )
    if (difference !== null) return difference
  }
  return null
}

const withServerStats = (measurement: Measurement, server: ServerProcess, cpuBefore: number | null) => {
  const cpuAfter = server.cpuSeconds()
  return {
    ...measurement,
    rssPeakMiB: server.windowPeakMiB(),
    cpuMicrosPerRequest:
      cpuBefore === null || cpuAfter === null || measurement.requests === 0
        ? null
        : round(((cpuAfter - cpuBefore) * 1e6) / measurement.requests, 0)
  }
}

/**
 * Waits until no server has a statement or a transaction in flight on the bench database (two quiet
 * looks in a row, at most 10 s). Autocannon stops with requests still queued in the server it
 * loaded; without this they would run into the next server's run, and a join committed after the
 * next run's reset would make that run's first join fail.
 */
const settle = async () => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "moim-bench-settle" })
  await client.connect()
  try {
    let quiet = 0
    for (const deadline = Date.now() + 10_000; quiet < 2 && Date.now() < deadline; await sleep(25)) {
      const { rows } = await client.query<{ busy: number }>(
        `SELECT count(*)::int AS busy FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND state IN ('active', 'idle in transaction')`
      )
      quiet = rows[0]?.busy === 0 ? quiet + 1 : 0
    }
  } finally {
    await client.end()
  }
}

const measureHttp = async (
  scenario: HttpScenario,
  context: ScenarioContext,
  server: ServerProcess,
  connections: number,
  duration: number
): Promise<ServerMeasurement> => {
  await scenario.reset?.(context, server.baseUrl)
  server.resetWindowPeak()
  const cpuBefore = server.cpuSeconds()
  const measurement = await runHttp({
    baseUrl: server.baseUrl,
    connections,
    seconds: duration,
    requestsFor: (index) => scenario.requestsFor(context, index)
  })
  const measured = withServerStats(measurement, server, cpuBefore)
  await settle()
  return measured
}

const measureRpc = async (
  scenario: RpcScenario,
  context: ScenarioContext,
  server: ServerProcess,
  callers: number,
  warmup: number,
  duration: number
): Promise<ServerMeasurement> => {
  server.resetWindowPeak()
  let cpuBefore: number | null = null
  const measurement = await runRpc({
    wsUrl: `${server.baseUrl.replace("http", "ws")}/rpc/ws`,
    callers,
    warmupSeconds: warmup,
    seconds: duration,
    call: (client, index) => scenario.call(client, context, index),
    onMeasureStart: () => {
      cpuBefore = server.cpuSeconds()
    }
  })
  return withServerStats(measurement, server, cpuBefore)
}

const describe = (label: string, measurement: ServerMeasurement) =>
  `${label}: ${measurement.requestsPerSecond} req/s, p50 ${measurement.latencyMs.p50} ms, p99 ${measurement.latencyMs.p99} ms, ` +
  `CPU ${measurement.cpuMicrosPerRequest ?? "?"} µs/req` +
  (measurement.bytesPerResponse === undefined ? "" : `, ${measurement.bytesPerResponse} B/response`) +
  (measurement.failures > 0 ? `, ${measurement.failures} failures ${JSON.stringify(measurement.failureDetail)}` : "")

/** The servers Moim is compared with, in the order the report shows them. */
interface Peers {
  readonly baseline: ServerProcess
  readonly fastify: ServerProcess
}

const runScenario = async (
  scenario: Scenario,
  moim: ServerProcess,
  peers: Peers,
  done: ReadonlyArray<ScenarioResult>
): Promise<ScenarioResult> => {
  const base = {
    id: scenario.id,
    title: scenario.title,
    what: scenario.what,
    table: scenario.table,
    baselineFrom: scenario.kind === "rpc" ? scenario.comparedWith : null
  }
  log(`scenario ${scenario.id}`)
  const tokens = scenario.needsTokens ? await signIn(moim.baseUrl, picks.tokenUsers) : []
  const context: ScenarioContext = { picks, tokens }
  const runs: Array<Run> = []

  if (scenario.kind === "rpc") {
    const probe = await measureRpc(scenario, context, moim, 1, 0, 0.2)
    if (probe.requests === 0 || probe.failures > 0) {
      return { ...base, skipped: `the RPC failed: ${JSON.stringify(probe.failureDetail)}`, runs }
    }
    const compared = done.find((result) => result.id === scenario.comparedWith)
    for (const [index, connections] of connectionLevels.entries()) {
      const moimRun = await measureRpc(
        scenario,
        context,
        moim,
        connections,
        index === 0 ? warmupSeconds : Math.min(1, warmupSeconds),
        seconds
      )
      const comparedRun = compared?.runs.find((run) => run.connections === connections)
      const baselineRun = comparedRun?.baseline ?? null
      const fastifyRun = comparedRun?.fastify ?? null
      log(`  ${connections} callers ${describe("moim", moimRun)}`)
      runs.push({
        connections,
        moim: moimRun,
        baseline: baselineRun,
        ratio: baselineRun === null ? null : ratioOf(moimRun, baselineRun),
        fastify: fastifyRun,
        fastifyRatio: fastifyRun === null ? null : ratioOf(moimRun, fastifyRun),
        loadAverage: loadavg()[0] ?? 0
      })
    }
    return { ...base, runs }
  }

  const moimProbe = await probeHttp(scenario, context, moim)
  const baselineProbe = scenario.baseline ? await probeHttp(scenario, context, peers.baseline) : null
  const fastifyProbe = scenario.baseline ? await probeHttp(scenario, context, peers.fastify) : null
  const problem = moimProbe.problem ?? baselineProbe?.problem ?? fastifyProbe?.problem
  if (problem !== undefined) {
    log(`  skipped: ${problem}`)
    return { ...base, skipped: problem, runs }
  }
  // The comparison is only fair while all answer the same; a difference means queries.ts (or the
  // Fastify peer's response schemas) drifted.
  const baselineDiffers = baselineProbe === null ? null : firstDifference(moimProbe.answer, baselineProbe.answer)
  const fastifyDiffers = fastifyProbe === null ? null : firstDifference(moimProbe.answer, fastifyProbe.answer)
  if (baselineDiffers !== null) log(`  warning: the baseline's answer differs from Moim's at ${baselineDiffers}`)
  if (fastifyDiffers !== null) log(`  warning: the Fastify peer's answer differs from Moim's at ${fastifyDiffers}`)
  const servers = scenario.baseline ? [moim, peers.baseline, peers.fastify] : [moim]
  if (warmupSeconds > 0) {
    for (const server of servers) await measureHttp(scenario, context, server, maxConnections, warmupSeconds)
  }
  for (const [index, connections] of connectionLevels.entries()) {
    // Rotate which server goes first, so none always runs on a machine another just heated.
    const measured = new Map<ServerProcess, ServerMeasurement>()
    for (const offset of servers.keys()) {
      const server = servers[(index + offset) % servers.length]!
      measured.set(server, await measureHttp(scenario, context, server, connections, seconds))
    }
    const moimRun = measured.get(moim)
    if (moimRun === undefined) throw new Error("unreachable: Moim always runs")
    const baselineRun = measured.get(peers.baseline) ?? null
    const fastifyRun = measured.get(peers.fastify) ?? null
    log(
      `  ${connections} connections ${describe("moim", moimRun)}` +
        (baselineRun === null ? "" : ` | ${describe("baseline", baselineRun)}`) +
        (fastifyRun === null ? "" : ` | ${describe("fastify", fastifyRun)}`)
    )
    runs.push({
      connections,
      moim: moimRun,
      baseline: baselineRun,
      ratio: baselineRun === null ? null : ratioOf(moimRun, baselineRun),
      fastify: fastifyRun,
      fastifyRatio: fastifyRun === null ? null : ratioOf(moimRun, fastifyRun),
      loadAverage: loadavg()[0] ?? 0
    })
  }
  return {
    ...base,
    ...(baselineDiffers === null ? {} : { baselineDiffers }),
    ...(fastifyDiffers === null ? {} : { fastifyDiffers }),
    runs
  }
}

/** Runs `scenario` once more on a Moim started with `--cpu-prof`, and summarises the profile. */
const profileScenario = async (scenario: Scenario) => {
  const profileName = `${stamp}-moim-${scenario.id}.cpuprofile`
  const moim = await startMoim(["--cpu-prof", `--cpu-prof-dir=${resultsDirectory}`, `--cpu-prof-name=${profileName}`])
  const tokens = scenario.needsTokens ? await signIn(moim.baseUrl, picks.tokenUsers) : []
  const context: ScenarioContext = { picks, tokens }
  let fromMicros = 0
  let toMicros = 0
  if (scenario.kind === "http") {
    if (warmupSeconds > 0) await measureHttp(scenario, context, moim, maxConnections, warmupSeconds)
    fromMicros = Number(process.hrtime.bigint() / 1000n)
    log(`  profiled ${describe("moim", await measureHttp(scenario, context, moim, maxConnections, seconds))}`)
    toMicros = Number(process.hrtime.bigint() / 1000n)
  } else {
    fromMicros = Number(process.hrtime.bigint() / 1000n) + warmupSeconds * 1_000_000
    log(
      `  profiled ${describe("moim", await measureRpc(scenario, context, moim, maxConnections, warmupSeconds, seconds))}`
    )
    toMicros = Number(process.hrtime.bigint() / 1000n)
  }
  const exitCode = await moim.stop()
  if (exitCode !== 0) log(`  profiled Moim exited with ${exitCode}`)
  return {
    scenario: scenario.id,
    connections: maxConnections,
    ...summarizeProfile(join(resultsDirectory, profileName), root, { fromMicros, toMicros })
  }
}

try {
  log("starting Moim (it migrates the database)")
  const moim = await startMoim()
  log(
    `seeding ${dataset.users.id.length} users, ${dataset.groups.id.length} groups, ${dataset.memberships.user.length} memberships`
  )
  const seeded = await seed(databaseUrl, dataset)
  log(`seeded in ${seeded.seconds} s (fingerprint ${seeded.fingerprint})`)
  const peers: Peers = {
    baseline: await startPeer("baseline", "server.ts"),
    fastify: await startPeer("fastify", "fastify.ts")
  }

  const results: Array<ScenarioResult> = []
  for (const id of selected) {
    const scenario = scenarios.find((candidate) => candidate.id === id)!
    results.push(await runScenario(scenario, moim, peers, results))
  }
  const peakRssMiB = {
    moim: moim.lifetimePeakMiB(),
    baseline: peers.baseline.lifetimePeakMiB(),
    fastify: peers.fastify.lifetimePeakMiB()
  }
  await peers.baseline.stop()
  await peers.fastify.stop()
  const moimExitCode = await moim.stop()

  const slowestOf = (candidates: ReadonlyArray<ScenarioResult>) =>
    candidates
      .filter((result) => result.table === "main" && result.runs.length > 0)
      .map((result) => ({ id: result.id, rps: result.runs.at(-1)?.moim.requestsPerSecond ?? 0 }))
      .sort((a, b) => a.rps - b.rps)[0]?.id
  const resolved = profileTargets.map((target) =>
    target === "slowest"
      ? slowestOf(results)
      : target === "slowest-read"
        ? slowestOf(
            results.filter(
              (result) =>
                result.runs.some((run) => run.baseline !== null) &&
                !scenarios.some((scenario) => scenario.id === result.id && scenario.writes)
            )
          )
        : target
  )
  const profiles: Array<Report["profiles"][number]> = []
  for (const target of new Set(resolved)) {
    const scenario = scenarios.find((candidate) => candidate.id === target)
    if (scenario === undefined) continue
    log(`profiling ${scenario.id} at ${maxConnections} connections`)
    profiles.push(await profileScenario(scenario))
  }

  const report: Report = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    code: codeVersion(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      uptimeBefore,
      uptimeAfter: uptime()
    },
    settings: {
      connections: connectionLevels,
      warmupSeconds,
      seconds,
      databasePoolSize,
      moimEnvironment: Object.fromEntries(
        Object.entries(moimEnvironment(0))
          .filter(([name]) => !["MOIM_SECRET", "PORT", "MOIM_DATA_DIR"].includes(name))
          .map(([name, value]) => [name, name.endsWith("_URL") ? withoutPassword(value) : value])
      )
    },
    dataset: seeded,
    scenarios: results,
    peakRssMiB,
    moimExitCode,
    profiles
  }
  const written = writeReport(resultsDirectory, stamp, report)
  console.log(`\n${written.text}`)
  log(`wrote ${relative(root, written.json)} and ${relative(root, written.markdown)}`)
} finally {
  await cleanUp()
}
