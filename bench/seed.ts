import { createHash, randomBytes } from "node:crypto"
import { rmSync } from "node:fs"
import { hash } from "@node-rs/argon2"
import pg from "pg"
import { type Dataset, seedPassword } from "./dataset.ts"

/** The admin URL with another database name. */
export const withDatabase = (url: string, database: string) => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const runAdmin = async (adminUrl: string, statement: string) => {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** Creates an empty database next to the admin URL's; the server migrates it when it starts. */
export const createDatabase = async (adminUrl: string) => {
  const name = `moim_bench_${randomBytes(5).toString("hex")}`
  await runAdmin(adminUrl, `CREATE DATABASE ${name}`)
  return name
}

export const dropDatabase = (adminUrl: string, name: string) =>
  runAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)

const batchSize = 5_000

const batches = async (count: number, insert: (from: number, to: number) => Promise<unknown>) => {
  for (let from = 0; from < count; from += batchSize) await insert(from, Math.min(count, from + batchSize))
}

/** Array columns travel as comma-joined text (no seeded word has a comma) and are split in SQL. */
const joined = (lists: ReadonlyArray<ReadonlyArray<string>>, from: number, to: number) =>
  lists.slice(from, to).map((list) => list.join(","))

export interface SeedSummary {
  readonly users: number
  readonly groups: number
  readonly memberships: number
  readonly publicGroups: number
  readonly seconds: number
  /** SHA-256 over every generated row: equal fingerprints mean identical datasets. */
  readonly fingerprint: string
}

/**
 * Loads the dataset into a migrated database with bulk `INSERT ... SELECT FROM unnest(...)` batches.
 * Every user gets the same argon2id hash of `seedPassword` (hashing 10k passwords would take minutes),
 * computed with the server's parameters so logging in costs what it costs in production.
 */
export const seed = async (databaseUrl: string, dataset: Dataset): Promise<SeedSummary> => {
  const started = performance.now()
  const passwordHash = await hash(seedPassword, { memoryCost: 19_456, timeCost: 2, parallelism: 1 })
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const { groups, memberships, users } = dataset
  try {
    await client.query("BEGIN")
    await batches(users.id.length, (from, to) =>
      client.query(
        `INSERT INTO users (id, email, password_hash, nickname, bio, interests, role, status, email_verified_at,
           created_at, updated_at)
         SELECT id, email, $1, nickname, bio, string_to_array(interests, ','), 'user', 'active',
           created_at + interval '1 hour', created_at, created_at
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
           AS t (id, email, nickname, bio, interests, created_at)`,
        [
          passwordHash,
          users.id.slice(from, to),
          users.email.slice(from, to),
          users.nickname.slice(from, to),
          users.bio.slice(from, to),
          joined(users.interests, from, to),
          users.createdAt.slice(from, to)
        ]
      )
    )
    await batches(groups.id.length, (from, to) =>
      client.query(
        `INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
           member_count, post_count, search, created_at, updated_at)
         SELECT id, name, description, category, tags, visibility, join_policy, member_limit, owner_id, member_count,
           post_count,
           setweight(to_tsvector('simple', name), 'A')
             || setweight(to_tsvector('simple', array_to_string(tags, ' ')), 'B')
             || setweight(to_tsvector('simple', description), 'C'),
           created_at, created_at
         FROM (
           SELECT id, name, description, category, string_to_array(tags, ',') AS tags, visibility, join_policy,
             member_limit, owner_id, member_count, post_count, created_at
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::int[], $9::uuid[], $10::int[], $11::int[], $12::timestamptz[])
             AS t (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
               member_count, post_count, created_at)
         ) rows`,
        [
          groups.id.slice(from, to),
          groups.name.slice(from, to),
          groups.description.slice(from, to),
          groups.category.slice(from, to),
          joined(groups.tags, from, to),
          groups.visibility.slice(from, to),
          groups.joinPolicy.slice(from, to),
          groups.memberLimit.slice(from, to),
          groups.owner.slice(from, to).map((user) => users.id[user]!),
          groups.memberCount.slice(from, to),
          groups.postCount.slice(from, to),
          groups.createdAt.slice(from, to)
        ]
      )
    )
    await batches(memberships.group.length, (from, to) =>
      client.query(
        `INSERT INTO group_members (group_id, user_id, role, joined_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])`,
        [
          memberships.group.slice(from, to).map((group) => groups.id[group]!),
          memberships.user.slice(from, to).map((user) => users.id[user]!),
          memberships.role.slice(from, to),
          memberships.joinedAt.slice(from, to)
        ]
      )
    )
    const mismatched = await client.query<{ count: string }>(
      `SELECT count(*) FROM groups g
       WHERE member_count <> (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)`
    )
    if (mismatched.rows[0]?.count !== "0") {
      throw new Error(`${mismatched.rows[0]?.count} groups have a member_count that differs from their members`)
    }
    await client.query("COMMIT")
  } catch (error) {
    await client.query("ROLLBACK")
    throw error
  }
  // Fresh statistics, as a long-running database would have: plans then match production's.
  await client.query("VACUUM ANALYZE users, groups, group_members")
  const counts = await client.query<{ users: string; groups: string; memberships: string; public: string }>(
    `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM groups) AS groups,
       (SELECT count(*) FROM group_members) AS memberships,
       (SELECT count(*) FROM groups WHERE visibility = 'public') AS public`
  )
  await client.end()
  const row = counts.rows[0]!
  return {
    users: Number(row.users),
    groups: Number(row.groups),
    memberships: Number(row.memberships),
    publicGroups: Number(row.public),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    fingerprint: fingerprint(dataset)
  }
}

const fingerprint = (dataset: Dataset) => {
  const digest = createHash("sha256")
  for (const table of [dataset.users, dataset.groups, dataset.memberships]) {
    for (const column of Object.values(table)) digest.update(JSON.stringify(column))
  }
  return digest.digest("hex").slice(0, 16)
}

/**
 * What a benchmark undoes when it ends, once, also on SIGINT or SIGTERM: `stop` its processes, remove
 * its data directory, and drop its scratch database unless `keep`.
 */
export const cleanUpOnExit = (options: {
  readonly adminUrl: string
  readonly databaseName: string
  readonly dataDirectory: string
  readonly keep: boolean
  readonly log: (message: string) => void
  readonly stop: () => void | Promise<void>
}) => {
  let cleaned = false
  const cleanUp = async () => {
    if (cleaned) return
    cleaned = true
    await options.stop()
    rmSync(options.dataDirectory, { recursive: true, force: true })
    if (options.keep) options.log(`kept database ${options.databaseName}`)
    else
      await dropDatabase(options.adminUrl, options.databaseName).catch((error: unknown) =>
        options.log(`could not drop ${options.databaseName}: ${error}`)
      )
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      options.log(`${signal}: stopping the processes and dropping the database`)
      void cleanUp().then(() => process.exit(130))
    })
  }
  return cleanUp
}
