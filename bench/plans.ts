/**
 * `npm run bench:plans`: the query plans of every post, comment, reaction, bookmark and report list
 * on a seeded database of 1M posts and 5M comments (`--posts`, `--comments` to change), on the local
 * Postgres (`DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/postgres, where a scratch
 * database is created, migrated by the server's own migrations, and dropped).
 *
 * Each query is the statement its repository sends (named after the repository method; keep them in
 * step), run under `EXPLAIN (ANALYZE, BUFFERS)` three times; the report gives the best execution
 * time, the plan's scans, and fails a query that reads posts or comments with a sequential scan.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { AppConfig } from "@moim/server/platform/AppConfig"
import * as Database from "@moim/server/platform/Database"
import { ConfigProvider, Effect, Layer } from "effect"
import pg from "pg"
import { createDatabase, dropDatabase, withDatabase } from "./seed.ts"

const { values: args } = parseArgs({
  options: { posts: { type: "string", default: "1000000" }, comments: { type: "string", default: "5000000" } }
})
const postCount = Number(args.posts)
const commentCount = Number(args.comments)
const userCount = 50_000
const groupCount = 2_000
const root = dirname(dirname(fileURLToPath(import.meta.url)))
const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres"

const databaseName = await createDatabase(adminUrl)
const databaseUrl = withDatabase(adminUrl, databaseName)

/** Ids are derived from a name and a number, so a query can name the row it wants. */
const id = (prefix: string, n: number | string) => `md5('${prefix}' || ${n})::uuid`
const ids = {
  user: (n: number) => id("u", n),
  group: (n: number) => id("g", n),
  post: (n: number) => id("p", n)
}

/**
 * The dataset: 50k users; 2k groups; posts, a fifth on profiles, the rest in groups, with one big
 * group holding a third of them and one prolific author a tenth; comments, a fifth of them on one hot
 * post, a third of them replies; reactions, 50k on the hot post; bookmarks; open reports.
 */
const seedStatements = (): ReadonlyArray<readonly [string, string]> => [
  [
    "users",
    `INSERT INTO users (id, email, nickname, role, email_verified_at, created_at, updated_at)
     SELECT ${id("u", "n")}, 'u' || n || '@example.com', 'User ' || n, 'user', now(), now(), now()
     FROM generate_series(1, ${userCount}) n`
  ],
  [
    "groups",
    `INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
       member_count, post_count, search, created_at, updated_at)
     SELECT ${id("g", "n")}, 'Group ' || n, '', 'other', '{}', CASE WHEN n % 5 = 0 THEN 'private' ELSE 'public' END,
       'open', NULL, ${id("u", "n")}, 1, 0, to_tsvector('simple', 'Group ' || n), now(), now()
     FROM generate_series(1, ${groupCount}) n`
  ],
  [
    "group members",
    `INSERT INTO group_members (group_id, user_id, role, joined_at)
     SELECT ${id("g", "n")}, ${id("u", "n")}, 'owner', now() FROM generate_series(1, ${groupCount}) n`
  ],
  [
    "posts",
    `WITH vocabulary AS (SELECT array_agg('word' || i) AS words FROM generate_series(1, 500) i)
     INSERT INTO posts (id, author_id, group_id, audience, audience_user_ids, title, body, search, comment_count,
       pinned_at, created_at, activity_at)
     SELECT ${id("p", "n")},
       CASE WHEN n % 10 = 0 THEN ${ids.user(1)} ELSE ${id("u", `(1 + n % ${userCount})`)} END,
       CASE WHEN n % 5 = 0 THEN NULL WHEN n % 3 = 0 THEN ${ids.group(1)} ELSE ${id("g", `(1 + n % ${groupCount})`)} END,
       CASE WHEN n % 5 <> 0 THEN NULL WHEN n % 50 = 0 THEN 'specific' ELSE 'public' END,
       CASE WHEN n % 50 = 0 THEN ARRAY[${id("u", `(1 + (n * 7) % ${userCount})`)}] ELSE '{}'::uuid[] END,
       'Post ' || n, t.body,
       setweight(to_tsvector('simple', 'Post ' || n), 'A') || setweight(to_tsvector('simple', t.body), 'B'),
       0, CASE WHEN n IN (3, 6, 9) THEN now() END,
       now() - make_interval(secs => ${postCount} - n), now() - make_interval(secs => (${postCount} - n) / 2)
     FROM generate_series(1, ${postCount}) n, vocabulary,
       LATERAL (SELECT words[1 + n % 500] || ' ' || words[1 + (n * 7) % 500] || ' ' || words[1 + (n * 13) % 500]
         || CASE WHEN n % 10 = 0 THEN ' hiking' ELSE '' END AS body) t`
  ],
  [
    "comments (top level)",
    `INSERT INTO comments (id, post_id, author_id, parent_id, depth, body, created_at)
     SELECT ${id("c", "n")},
       CASE WHEN n % 5 = 0 THEN ${ids.post(3)} ELSE ${id("p", `(1 + (n::bigint * 7919) % ${postCount})`)} END,
       ${id("u", `(1 + n % ${userCount})`)}, NULL, 0, 'Comment ' || n,
       now() - make_interval(secs => ${commentCount} - n)
     FROM generate_series(1, ${Math.round((commentCount * 2) / 3)}) n`
  ],
  [
    "comments (replies)",
    `INSERT INTO comments (id, post_id, author_id, parent_id, depth, body, created_at)
     SELECT ${id("r", "n")}, c.post_id, ${id("u", `(1 + (n * 3) % ${userCount})`)}, c.id, 1, 'Reply ' || n,
       c.created_at + make_interval(secs => 1 + n % 1000)
     FROM generate_series(1, ${commentCount - Math.round((commentCount * 2) / 3)}) n
     JOIN comments c ON c.id = ${id("c", `(1 + (n * 31) % ${Math.round((commentCount * 2) / 3)})`)}`
  ],
  [
    "reply counts",
    `UPDATE comments c SET reply_count = r.count
     FROM (SELECT parent_id, count(*)::int AS count FROM comments WHERE parent_id IS NOT NULL GROUP BY parent_id) r
     WHERE c.id = r.parent_id`
  ],
  [
    "comment counts",
    `UPDATE posts p SET comment_count = c.count
     FROM (SELECT post_id, count(*)::int AS count FROM comments GROUP BY post_id) c WHERE p.id = c.post_id`
  ],
  [
    "reactions",
    `INSERT INTO reactions (subject_kind, subject_id, user_id, emoji, created_at)
     SELECT 'post', ${ids.post(3)}, ${id("u", "n")}, (ARRAY['like','love','laugh','wow','sad','angry'])[1 + n % 6],
       now() - make_interval(secs => n)
     FROM generate_series(1, ${userCount}) n
     UNION ALL
     SELECT 'post', ${id("p", "n")}, ${id("u", `(1 + n % ${userCount})`)}, 'like', now()
     FROM generate_series(10, ${postCount}) n`
  ],
  [
    "reaction counts",
    `INSERT INTO reaction_counts (subject_kind, subject_id, emoji, count)
     SELECT subject_kind, subject_id, emoji, count(*) FROM reactions GROUP BY 1, 2, 3`
  ],
  [
    "bookmarks",
    `INSERT INTO bookmarks (user_id, post_id, created_at)
     SELECT ${ids.user(2)}, ${id("p", "n")}, now() - make_interval(secs => n) FROM generate_series(1, 20000) n
     UNION ALL
     SELECT ${id("u", `(3 + n % ${userCount - 2})`)}, ${id("p", "n")}, now()
     FROM generate_series(20001, ${Math.min(postCount, 500_000)}) n`
  ],
  [
    "reports",
    `INSERT INTO reports (id, subject_kind, subject_id, group_id, excerpt, reporter_id, reason, created_at)
     SELECT ${id("rep", "n")}, 'post', ${id("p", "n")}, p.group_id, 'Post ' || n, ${id("u", `(2 + n % ${userCount - 1})`)},
       'spam', now() - make_interval(secs => n)
     FROM generate_series(1, 100000) n JOIN posts p ON p.id = ${id("p", "n")}`
  ],
  ["analyze", "ANALYZE"]
]

interface Probe {
  readonly name: string
  readonly repository: string
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
}

const postColumns = `id, author_id, group_id, audience, audience_user_ids::text[] AS audience_user_ids, title, body,
  entities, attachment_ids::text[] AS attachment_ids, pinned_at, comments_locked, comment_count, hidden_at, created_at,
  edited_at, activity_at`
const commentColumns = `id, post_id, author_id, parent_id, depth, body, entities, reply_count, created_at, edited_at,
  deleted_at`
const reportColumns = `id, subject_kind, subject_id::text AS subject_id, group_id, excerpt, reporter_id, reason, text,
  status, created_at, resolved_at, resolved_by`

/** The position of the row a deep page starts after: what a cursor 10,000 rows in carries. */
const positionAt = async (client: pg.Client, sql: string, params: ReadonlyArray<unknown>) => {
  const result = await client.query<{ at: Date; id: string }>(sql, [...params])
  const row = result.rows[0]
  if (row === undefined) throw new Error(`No row for ${sql}`)
  return [row.at.toISOString(), row.id] as const
}

const probes = async (client: pg.Client): Promise<ReadonlyArray<Probe>> => {
  const deepPosts = Math.min(10_000, Math.floor(postCount / 100))
  const deepComments = Math.min(10_000, Math.floor(commentCount / 100))
  const uuid = async (expression: string) =>
    (await client.query<{ id: string }>(`SELECT ${expression}::text AS id`)).rows[0]?.id ?? ""
  const bigGroup = await uuid(ids.group(1))
  const prolific = await uuid(ids.user(1))
  const reader = await uuid(ids.user(2))
  const hotPost = await uuid(ids.post(3))
  const [groupAt, groupId] = await positionAt(
    client,
    `SELECT created_at AS at, id FROM posts WHERE group_id = $1 AND deleted_at IS NULL AND pinned_at IS NULL
     ORDER BY created_at DESC, id DESC OFFSET ${deepPosts} LIMIT 1`,
    [bigGroup]
  )
  const [commentAt, commentId] = await positionAt(
    client,
    `SELECT created_at AS at, id FROM comments WHERE post_id = $1 AND parent_id IS NULL ORDER BY created_at, id
     OFFSET ${deepComments} LIMIT 1`,
    [hotPost]
  )
  const repliedTo =
    (
      await client.query<{ id: string }>(
        `SELECT id::text AS id FROM comments WHERE post_id = $1 AND reply_count > 0 ORDER BY reply_count DESC LIMIT 1`,
        [hotPost]
      )
    ).rows[0]?.id ?? ""
  const postPage = `SELECT ${postColumns} FROM posts`
  return [
    {
      name: "a group's posts, newest, first page (group of 270k posts)",
      repository: "PostsRepo.listInGroup",
      sql: `${postPage} WHERE group_id = $1 AND deleted_at IS NULL AND pinned_at IS NULL AND true
        ORDER BY created_at DESC, id DESC LIMIT 21`,
      params: [bigGroup]
    },
    {
      name: `a group's posts, newest, ${deepPosts.toLocaleString("en")} rows in`,
      repository: "PostsRepo.listInGroup",
      sql: `${postPage} WHERE group_id = $1 AND deleted_at IS NULL AND pinned_at IS NULL
        AND (created_at, id) < ($2::timestamptz, $3::uuid) ORDER BY created_at DESC, id DESC LIMIT 21`,
      params: [bigGroup, groupAt, groupId]
    },
    {
      name: "a group's posts, most active",
      repository: "PostsRepo.listInGroup",
      sql: `${postPage} WHERE group_id = $1 AND deleted_at IS NULL AND pinned_at IS NULL AND true
        ORDER BY activity_at DESC, id DESC LIMIT 21`,
      params: [bigGroup]
    },
    {
      name: "a group's pinned posts",
      repository: "PostsRepo.pinned",
      sql: `${postPage} WHERE group_id = $1 AND pinned_at IS NOT NULL AND deleted_at IS NULL ORDER BY pinned_at DESC LIMIT 3`,
      params: [bigGroup]
    },
    {
      name: "a user's posts as a stranger sees them (author of 100k posts)",
      repository: "PostsRepo.listByAuthor",
      sql: `${postPage} WHERE author_id = $1 AND deleted_at IS NULL
        AND (group_id IS NOT NULL OR audience IN ('public', 'followers', 'friends')
          OR (audience = 'specific' AND $2::uuid = ANY(audience_user_ids)))
        AND true ORDER BY created_at DESC, id DESC LIMIT 21`,
      params: [prolific, reader]
    },
    {
      name: "search, a rare word (about 6,000 posts)",
      repository: "PostsRepo.search",
      sql: `SELECT * FROM (SELECT ${postColumns}, ts_rank_cd(search, to_tsquery('simple', $1))::real AS rank FROM posts
          WHERE deleted_at IS NULL AND search @@ to_tsquery('simple', $1) AND true AND true) ranked
        WHERE true ORDER BY rank DESC, id ASC LIMIT 21`,
      params: ["word499:*"]
    },
    {
      name: "search, a common word (100,000 posts)",
      repository: "PostsRepo.search",
      sql: `SELECT * FROM (SELECT ${postColumns}, ts_rank_cd(search, to_tsquery('simple', $1))::real AS rank FROM posts
          WHERE deleted_at IS NULL AND search @@ to_tsquery('simple', $1) AND true AND true) ranked
        WHERE true ORDER BY rank DESC, id ASC LIMIT 21`,
      params: ["hiking:*"]
    },
    {
      name: "search, a common word in one group",
      repository: "PostsRepo.search",
      sql: `SELECT * FROM (SELECT ${postColumns}, ts_rank_cd(search, to_tsquery('simple', $1))::real AS rank FROM posts
          WHERE deleted_at IS NULL AND search @@ to_tsquery('simple', $1) AND group_id = $2 AND true) ranked
        WHERE true ORDER BY rank DESC, id ASC LIMIT 21`,
      params: ["hiking:*", await uuid(ids.group(7))]
    },
    {
      name: "a post's comments, oldest first (post with 1M comments)",
      repository: "CommentsRepo.list",
      sql: `SELECT ${commentColumns} FROM comments WHERE post_id = $1 AND parent_id IS NULL
        AND (deleted_at IS NULL OR reply_count > 0) AND true ORDER BY created_at, id LIMIT 21`,
      params: [hotPost]
    },
    {
      name: "a post's comments, newest first",
      repository: "CommentsRepo.list",
      sql: `SELECT ${commentColumns} FROM comments WHERE post_id = $1 AND parent_id IS NULL
        AND (deleted_at IS NULL OR reply_count > 0) AND true ORDER BY created_at DESC, id DESC LIMIT 21`,
      params: [hotPost]
    },
    {
      name: `a post's comments, ${deepComments.toLocaleString("en")} rows in`,
      repository: "CommentsRepo.list",
      sql: `SELECT ${commentColumns} FROM comments WHERE post_id = $1 AND parent_id IS NULL
        AND (deleted_at IS NULL OR reply_count > 0) AND (created_at, id) > ($2::timestamptz, $3::uuid)
        ORDER BY created_at, id LIMIT 21`,
      params: [hotPost, commentAt, commentId]
    },
    {
      name: "the replies to a comment",
      repository: "CommentsRepo.list",
      sql: `SELECT ${commentColumns} FROM comments WHERE post_id = $1 AND parent_id = $2
        AND (deleted_at IS NULL OR reply_count > 0) AND true ORDER BY created_at, id LIMIT 21`,
      params: [hotPost, repliedTo]
    },
    {
      name: "who reacted to a post (50k reactions)",
      repository: "ReactionsRepo.list",
      sql: `SELECT user_id, emoji, created_at FROM reactions WHERE subject_kind = 'post' AND subject_id = $1 AND true
        AND true ORDER BY created_at DESC, user_id DESC LIMIT 21`,
      params: [hotPost]
    },
    {
      name: "who reacted to a post with one emoji",
      repository: "ReactionsRepo.list",
      sql: `SELECT user_id, emoji, created_at FROM reactions WHERE subject_kind = 'post' AND subject_id = $1
        AND emoji = 'wow' AND true ORDER BY created_at DESC, user_id DESC LIMIT 21`,
      params: [hotPost]
    },
    {
      name: "reaction summaries of a page of 21 posts",
      repository: "ReactionsRepo.summaries",
      sql: `SELECT subject_id::text AS subject_id, emoji, count FROM reaction_counts
        WHERE subject_kind = 'post' AND subject_id = ANY($1::uuid[]) AND count > 0`,
      params: [await Promise.all(Array.from({ length: 21 }, (_, n) => uuid(ids.post(n + 1))))]
    },
    {
      name: "my bookmarks (20k saved)",
      repository: "BookmarksRepo.list",
      sql: `SELECT post_id, created_at FROM bookmarks WHERE user_id = $1 AND true
        ORDER BY created_at DESC, post_id DESC LIMIT 21`,
      params: [reader]
    },
    {
      name: "the site's open reports (100k)",
      repository: "ReportsRepo.queue",
      sql: `SELECT ${reportColumns} FROM reports WHERE status = 'open' AND true AND true AND true
        ORDER BY created_at, id LIMIT 21`,
      params: []
    },
    {
      name: "a group's open reports",
      repository: "ReportsRepo.queue",
      sql: `SELECT ${reportColumns} FROM reports WHERE status = 'open' AND group_id = $1 AND true AND true
        ORDER BY created_at, id LIMIT 21`,
      params: [bigGroup]
    }
  ]
}

interface Measured {
  readonly probe: Probe
  readonly bestMs: number
  readonly scans: ReadonlyArray<string>
  readonly sequential: boolean
}

const explain = async (client: pg.Client, probe: Probe): Promise<Measured> => {
  let bestMs = Number.POSITIVE_INFINITY
  let plan: ReadonlyArray<string> = []
  for (let run = 0; run < 3; run++) {
    const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${probe.sql}`, [
      ...probe.params
    ])
    plan = result.rows.map((row) => row["QUERY PLAN"])
    const time = plan.map((line) => /Execution Time: ([\d.]+) ms/.exec(line)?.[1]).find((found) => found !== undefined)
    bestMs = Math.min(bestMs, Number(time))
  }
  const scans = [
    ...new Set(
      plan.flatMap((line) => {
        const found =
          /(Index Only Scan|Index Scan Backward|Index Scan|Bitmap Index Scan|Seq Scan)(?: using (\S+))? on (\S+)/.exec(
            line
          )
        return found === null ? [] : [`${found[1]}${found[2] === undefined ? "" : ` ${found[2]}`} on ${found[3]}`]
      })
    )
  ]
  return {
    probe,
    bestMs,
    scans,
    sequential: scans.some((scan) => /^Seq Scan on (posts|comments|reactions|bookmarks|reports)$/.test(scan))
  }
}

const migrate = Effect.runPromise(
  Layer.build(
    Database.layer.pipe(
      Layer.provide(AppConfig.layer),
      Layer.provide(
        ConfigProvider.layer(
          ConfigProvider.fromEnvRecord({
            DATABASE_URL: databaseUrl,
            LOG_LEVEL: "Warn",
            MOIM_DATA_DIR: ".moim-bench-plans"
          })
        )
      )
    )
  ).pipe(Effect.scoped)
)

try {
  await migrate
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query("SET synchronous_commit = off")
    const seeded: Array<string> = []
    for (const [what, statement] of seedStatements()) {
      const started = performance.now()
      await client.query(statement)
      const seconds = (performance.now() - started) / 1000
      seeded.push(`${what} ${seconds.toFixed(0)} s`)
      console.log(`seeded ${what} in ${seconds.toFixed(1)} s`)
    }
    const counts = (
      await client.query<{ posts: string; comments: string; reactions: string }>(
        `SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM comments) AS comments,
           (SELECT count(*) FROM reactions) AS reactions`
      )
    ).rows[0]
    const measured: Array<Measured> = []
    for (const probe of await probes(client)) measured.push(await explain(client, probe))
    const report = [
      `# Query plans: ${Number(counts?.posts).toLocaleString("en")} posts, ${Number(counts?.comments).toLocaleString("en")} comments`,
      "",
      `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}, local Postgres. ${Number(counts?.reactions).toLocaleString("en")} reactions. Seeding: ${seeded.join(", ")}.`,
      "",
      "| query | repository | best of 3, ms | scans |",
      "|---|---|---:|---|",
      ...measured.map(
        (row) =>
          `| ${row.probe.name} | \`${row.probe.repository}\` | ${row.bestMs.toFixed(2)} | ${row.scans.join("; ")}${row.sequential ? " **(sequential)**" : ""} |`
      ),
      ""
    ].join("\n")
    const results = join(root, "bench", "results")
    mkdirSync(results, { recursive: true })
    writeFileSync(join(results, `${new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-")}-plans.md`), report)
    console.log(report)
    if (measured.some((row) => row.sequential)) process.exitCode = 1
  } finally {
    await client.end()
  }
} finally {
  await dropDatabase(adminUrl, databaseName)
}
