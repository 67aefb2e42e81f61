/**
 * `npm run bench:feed`: the home feed under load. A scratch database on the local Postgres
 * (`DATABASE_URL` is an admin URL, default postgres://postgres@127.0.0.1:5432/postgres) gets 20k
 * users, 2k groups and 1M posts (`--posts` to change); each of 64 readers follows 500 accounts (50
 * of them friends) and belongs to 20 groups. Moim (production settings, Redis) and the raw
 * `node:http` + `pg` baseline (`bench/baseline/server.ts`, which runs the same feed SQL) then serve
 * `GET /api/v1/me/feed` to 64 readers at 16 and 64 connections:
 *
 * - Moim, first page: what an app asks for most, from the per-user cache after the first request;
 * - Moim, second page: a cursor page, never cached, so the feed query runs on every request;
 * - the baseline, first page: the same sources and feed queries and the posts with their authors.
 *
 * It also prints the feed query's plan for one reader. Results go to `bench/results/feed-<time>.md`.
 */
import { randomBytes } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { hash } from "@node-rs/argon2"
import pg from "pg"
import { runHttp } from "./http-load.ts"
import { freePort, killAll, type ServerProcess, startServer } from "./processes.ts"
import { summarizeProfile } from "./profile.ts"
import { createDatabase, dropDatabase, withDatabase } from "./seed.ts"
import type { Measurement } from "./stats.ts"

const { values: args } = parseArgs({
  options: {
    posts: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "16,64" },
    profile: { type: "boolean", default: false }
  }
})
const postCount = Number(args.posts)
const seconds = Number(args.seconds)
const levels = (args.connections ?? "16,64").split(",").map(Number)
const userCount = 20_000
const groupCount = 2_000
const readerCount = 64
const follows = 500
const friends = 50
const groupsEach = 20
const password = "bench-feed-password"
const root = dirname(dirname(fileURLToPath(import.meta.url)))
const resultsDirectory = join(root, "bench", "results")
const stamp = new Date().toISOString().replace(/[:.]/g, "-")
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres"
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379"
const secret = randomBytes(32).toString("base64url")
mkdirSync(resultsDirectory, { recursive: true })

/** A UUID (version 4 and variant bits set, as the API checks) derived from a name and a number. */
const id = (prefix: string, n: string) =>
  `overlay(overlay(md5('${prefix}' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`
/** Reader r (1..64) follows users 101 + (r * 500 + k) % 19,900 for k < 500; the first 50 are friends. */
const followee = (r: string, k: string) => id("u", `(101 + ((${r}) * ${follows} + ${k}) % ${userCount - 100})`)

const seedStatements = (passwordHash: string): ReadonlyArray<readonly [string, string]> => [
  [
    "users",
    `INSERT INTO users (id, email, password_hash, nickname, role, email_verified_at, created_at, updated_at)
     SELECT ${id("u", "n")}, 'feed-' || n || '@moim.test', '${passwordHash}', 'User ' || n, 'user', now(), now(), now()
     FROM generate_series(1, ${userCount}) n`
  ],
  [
    "groups",
    `INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
       member_count, post_count, search, created_at, updated_at)
     SELECT ${id("g", "n")}, 'Group ' || n, '', 'other', '{}', 'public', 'open', NULL, ${id("u", "(1000 + n)")}, 1, 0,
       to_tsvector('simple', 'Group ' || n), now(), now()
     FROM generate_series(1, ${groupCount}) n`
  ],
  [
    "group members",
    `INSERT INTO group_members (group_id, user_id, role, joined_at)
     SELECT ${id("g", "n")}, ${id("u", "(1000 + n)")}, 'owner', now() FROM generate_series(1, ${groupCount}) n
     UNION ALL
     SELECT ${id("g", `(1 + (r * ${groupsEach} + k) % ${groupCount})`)}, ${id("u", "r")}, 'member', now()
     FROM generate_series(1, ${readerCount}) r, generate_series(0, ${groupsEach - 1}) k`
  ],
  [
    "follows",
    `INSERT INTO follows (follower_id, followee_id, status, created_at)
     SELECT ${id("u", "r")}, ${followee("r", "k")}, 'active', now()
     FROM generate_series(1, ${readerCount}) r, generate_series(0, ${follows - 1}) k`
  ],
  [
    "friendships",
    `INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
     SELECT least(${id("u", "r")}, ${followee("r", "k")}), greatest(${id("u", "r")}, ${followee("r", "k")}),
       ${id("u", "r")}, 'accepted', now(), now()
     FROM generate_series(1, ${readerCount}) r, generate_series(0, ${friends - 1}) k
     ON CONFLICT DO NOTHING`
  ],
  [
    "posts",
    `INSERT INTO posts (id, author_id, group_id, audience, title, body, search, created_at, activity_at)
     SELECT ${id("p", "n")},
       CASE WHEN n % 5 = 0 THEN ${id("u", `(1 + n % ${userCount})`)} ELSE ${id("u", `(1 + (n * 7) % ${userCount})`)} END,
       CASE WHEN n % 5 = 0 THEN NULL ELSE ${id("g", `(1 + n % ${groupCount})`)} END,
       CASE WHEN n % 5 <> 0 THEN NULL WHEN n % 25 = 0 THEN 'friends' WHEN n % 35 = 0 THEN 'followers' ELSE 'public' END,
       NULL, 'Post ' || n, to_tsvector('simple', 'Post ' || n),
       now() - make_interval(secs => ${postCount} - n), now() - make_interval(secs => ${postCount} - n)
     FROM generate_series(1, ${postCount}) n`
  ]
]

const measure = async (
  server: ServerProcess,
  connections: number,
  paths: ReadonlyArray<string>,
  tokens: ReadonlyArray<string>,
  duration = seconds
): Promise<Measurement & { readonly cpuMsPerRequest: number | null }> => {
  const before = server.cpuSeconds()
  const result = await runHttp({
    baseUrl: server.baseUrl,
    connections,
    seconds: duration,
    requestsFor: (index) => [
      {
        method: "GET",
        path: paths[index % paths.length] ?? "/api/v1/me/feed",
        headers: { authorization: `Bearer ${tokens[index % tokens.length]}` }
      }
    ]
  })
  const after = server.cpuSeconds()
  const cpuMsPerRequest =
    before === null || after === null || result.requests === 0
      ? null
      : Math.round(((after - before) * 1_000_000) / result.requests) / 1000
  return { ...result, cpuMsPerRequest }
}

const signIn = async (baseUrl: string) => {
  const tokens: Array<string> = []
  for (let reader = 1; reader <= readerCount; reader++) {
    const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `feed-${reader}@moim.test`, password, deviceName: "bench" })
    })
    const body: unknown = await response.json()
    if (typeof body !== "object" || body === null || !("accessToken" in body) || typeof body.accessToken !== "string") {
      throw new Error(`Login failed (${response.status}): ${JSON.stringify(body)}`)
    }
    tokens.push(body.accessToken)
  }
  return tokens
}

/** Each reader's second-page path (the cursor from their first page). */
const secondPages = async (baseUrl: string, tokens: ReadonlyArray<string>) => {
  const paths: Array<string> = []
  for (const token of tokens) {
    const response = await fetch(`${baseUrl}/api/v1/me/feed`, { headers: { authorization: `Bearer ${token}` } })
    const body: unknown = await response.json()
    if (typeof body !== "object" || body === null || !("items" in body) || !("nextCursor" in body)) {
      throw new Error(`Feed failed (${response.status}): ${JSON.stringify(body)}`)
    }
    if (!Array.isArray(body.items) || body.items.length !== 20 || typeof body.nextCursor !== "string") {
      throw new Error(`A reader's first page is not full: ${JSON.stringify(body).slice(0, 300)}`)
    }
    paths.push(`/api/v1/me/feed?cursor=${encodeURIComponent(body.nextCursor)}`)
  }
  return paths
}

const databaseName = await createDatabase(adminUrl)
const databaseUrl = withDatabase(adminUrl, databaseName)
const dataDirectory = join(tmpdir(), `moim-bench-feed-${stamp}`)
mkdirSync(dataDirectory, { recursive: true })
const servers: Array<ServerProcess> = []
const client = new pg.Client({ connectionString: databaseUrl })
// Dropping the database at the end ends this connection; that is not an error of the run.
client.on("error", () => undefined)
process.once("SIGINT", () => {
  killAll()
  void dropDatabase(adminUrl, databaseName).finally(() => process.exit(130))
})

try {
  const moimPort = await freePort()
  const profileName = `feed-${stamp}.cpuprofile`
  const moim = await startServer({
    name: "moim",
    script: join(root, "packages", "server", "src", "main.ts"),
    nodeArgs: args.profile
      ? ["--cpu-prof", `--cpu-prof-dir=${resultsDirectory}`, `--cpu-prof-name=${profileName}`]
      : [],
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "Warn",
      HOST: "127.0.0.1",
      PORT: String(moimPort),
      MOIM_SECRET: secret,
      MOIM_DATA_DIR: dataDirectory,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `moim-bench-feed-${stamp}:`,
      RATE_LIMIT_USER: "1000000000",
      RATE_LIMIT_AUTH: "1000000000"
    },
    port: moimPort,
    readyPath: "/health/ready",
    logFile: join(resultsDirectory, `feed-${stamp}-moim.log`),
    cwd: root
  })
  servers.push(moim)

  await client.connect()
  const passwordHash = await hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 })
  for (const [name, statement] of seedStatements(passwordHash)) {
    const started = Date.now()
    await client.query(statement)
    console.log(`seeded ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  await client.query("VACUUM ANALYZE")

  const basePort = await freePort()
  const baseline = await startServer({
    name: "baseline",
    script: join(root, "bench", "baseline", "server.ts"),
    env: { NODE_ENV: "production", PORT: String(basePort), DATABASE_URL: databaseUrl, MOIM_SECRET: secret },
    port: basePort,
    readyPath: "/health",
    logFile: join(resultsDirectory, `feed-${stamp}-baseline.log`),
    cwd: root
  })
  servers.push(baseline)

  const tokens = await signIn(moim.baseUrl)
  const firstPage = ["/api/v1/me/feed"]
  const secondPage = await secondPages(moim.baseUrl, tokens)

  // The plan of one reader's first page, as Moim sends it.
  const reader = (await client.query<{ id: string }>(`SELECT ${id("u", "1")}::text AS id`)).rows[0]?.id ?? ""
  const authors = await client.query<{ user_id: string; friend: boolean }>(
    `SELECT user_id, bool_or(friend) AS friend FROM (
       SELECT followee_id AS user_id, false AS friend FROM follows WHERE follower_id = $1 AND status = 'active'
       UNION ALL SELECT high_id, true FROM friendships WHERE low_id = $1 AND status = 'accepted'
       UNION ALL SELECT low_id, true FROM friendships WHERE high_id = $1 AND status = 'accepted') a GROUP BY user_id`,
    [reader]
  )
  const groups = await client.query<{ group_id: string }>("SELECT group_id FROM group_members WHERE user_id = $1", [
    reader
  ])
  const feedSql = (await import("./baseline/queries.ts")).feed.text
  const planValues = [
    reader,
    [reader, ...authors.rows.map((row) => row.user_id)],
    [2, ...authors.rows.map((row) => (row.friend ? 1 : 0))],
    groups.rows.map((row) => row.group_id),
    21
  ]
  let bestMs = Number.POSITIVE_INFINITY
  let plan = ""
  for (let attempt = 0; attempt < 5; attempt++) {
    const explained = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${feedSql}`, planValues)
    const lines = explained.rows.map((row) => row["QUERY PLAN"])
    const execution = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join("\n"))?.[1] ?? "NaN")
    if (execution < bestMs) {
      bestMs = execution
      plan = lines.join("\n")
    }
  }

  // Warm-up: every reader's first page cached, JIT warm on both servers.
  await measure(moim, 64, firstPage, tokens, 5)
  await measure(moim, 64, secondPage, tokens, 5)
  await measure(baseline, 64, firstPage, tokens, 5)

  const rows: Array<string> = []
  for (const connections of levels) {
    const cached = await measure(moim, connections, firstPage, tokens)
    const uncached = await measure(moim, connections, secondPage, tokens)
    const raw = await measure(baseline, connections, firstPage, tokens)
    for (const [name, result] of [
      ["Moim, first page (cached per user)", cached],
      ["Moim, second page (feed query every time)", uncached],
      ["baseline node:http + pg, first page", raw]
    ] as const) {
      rows.push(
        `| ${name} | ${connections} | ${result.requestsPerSecond.toLocaleString("en")} | ${result.latencyMs.p50} | ${result.latencyMs.p99} | ${result.cpuMsPerRequest ?? "n/a"} | ${result.failures} |`
      )
    }
  }

  // With --profile: where Moim's time goes on the uncached page, at 64 connections.
  const profile: Array<string> = []
  if (args.profile) {
    const fromMicros = Number(process.hrtime.bigint() / 1000n)
    await measure(moim, 64, secondPage, tokens)
    const toMicros = Number(process.hrtime.bigint() / 1000n)
    await moim.stop()
    const summary = summarizeProfile(join(resultsDirectory, profileName), root, { fromMicros, toMicros })
    profile.push(
      "",
      `CPU profile of Moim serving second pages at 64 connections (${summary.windowed ? "the run only" : "whole process"}; ${summary.sampledMs} ms sampled, ${summary.idleMs} ms idle):`,
      "",
      "| function | self ms | % |",
      "|---|---|---|",
      ...summary.byFunction.slice(0, 30).map((entry) => `| ${entry.name} | ${entry.selfMs} | ${entry.percent} |`),
      "",
      "| package | self ms | % |",
      "|---|---|---|",
      ...summary.byPackage.slice(0, 15).map((entry) => `| ${entry.name} | ${entry.selfMs} | ${entry.percent} |`)
    )
  }

  const report = [
    `# Home feed benchmark, ${new Date().toISOString()}`,
    "",
    `${postCount.toLocaleString("en")} posts, ${userCount.toLocaleString("en")} users, ${groupCount.toLocaleString("en")} groups; ${readerCount} readers, each following ${follows} accounts (${friends} of them friends) and in ${groupsEach} groups. ${cpus().length} cores, ${seconds} s per run.`,
    "",
    "| server and page | connections | req/s | p50 ms | p99 ms | CPU ms/request | failures |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `The feed query for one reader (first page), best of 5: ${bestMs} ms.`,
    "",
    "```",
    plan,
    "```",
    ...profile
  ].join("\n")
  const file = join(resultsDirectory, `feed-${stamp}.md`)
  writeFileSync(file, `${report}\n`)
  console.log(report)
  console.log(`\nwritten to ${file}`)
} finally {
  await client.end().catch(() => undefined)
  for (const server of servers) await server.stop()
  await dropDatabase(adminUrl, databaseName)
}
