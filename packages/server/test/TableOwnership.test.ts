/** @module-tag no-database */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const src = join(import.meta.dirname, "../src")

/**
 * Every table belongs to one feature. A feature's SQL names only its own tables; another feature's
 * data is reached through that feature's services (`Profiles`, `GroupAccess`, ...). Within a feature
 * one repository writes each table; a repository may read a table of its own feature beside its own
 * where that saves a round trip on a hot path (authentication, a member's standing).
 */
const owners: Record<string, ReadonlyArray<string>> = {
  // The idempotency keys of every feature's unsafe requests, kept by the access layer that runs them.
  Access: ["idempotency_keys"],
  Accounts: [
    "users",
    "sessions",
    "refresh_tokens",
    "email_tokens",
    "phone_numbers",
    "phone_codes",
    "two_factor",
    "two_factor_recovery_codes",
    "two_factor_challenges",
    "oidc_identities",
    "oidc_states",
    "oidc_codes"
  ],
  Groups: ["groups", "group_members", "group_join_requests", "group_invitations", "group_bans"],
  Notifications: [
    "notifications",
    "notification_deliveries",
    "notification_settings",
    "notification_channel_preferences",
    "notification_group_mutes",
    "notification_emails",
    "notification_digests",
    "push_subscriptions",
    "push_deliveries",
    "mobile_devices",
    "mobile_push_deliveries"
  ],
  Realtime: ["stream_outbox", "stream_events", "stream_state"],
  Media: ["media"],
  Posts: ["posts", "post_versions", "comments", "reactions", "reaction_counts", "bookmarks"],
  Reports: ["reports"],
  Events: [
    "events",
    "event_hosts",
    "event_rsvps",
    "event_occurrences",
    "calendar_feeds",
    "event_versions",
    "event_reminders_sent"
  ],
  Chat: [
    "chat_channels",
    "chat_members",
    "chat_messages",
    "chat_message_edits",
    "chat_reactions",
    "chat_thread_follows"
  ],
  // The activity table and its default partition (its monthly partitions are named in code).
  Analytics: ["activity_events", "activity_events_default"],
  Social: ["follows", "friendships", "blocks", "social_counts", "social_settings", "contact_hashes"],
  Recommendations: [
    "recommendation_places",
    "recommendation_dismissals",
    "recommendation_interests",
    "recommendation_groups",
    "recommendation_group_terms",
    "recommendation_similar_groups",
    "recommendation_events",
    "recommendation_cells",
    "recommendation_recent_groups",
    "recommendation_friends",
    "recommendation_going",
    "recommendation_group_members",
    "recommendations"
  ],
  // The worker's heartbeats, the registered crontab, and graphile-worker's own tables and admin
  // functions, for the operator report and the job operations.
  Ops: [
    "worker_heartbeats",
    "job_crons",
    "graphile_worker.jobs",
    "graphile_worker._private_jobs",
    "graphile_worker._private_tasks",
    "graphile_worker._private_job_queues",
    "graphile_worker._private_known_crontabs",
    "graphile_worker.add_job",
    "graphile_worker.reschedule_jobs",
    "graphile_worker.complete_jobs"
  ],
  // The job queue's enqueue function, used by every feature through `JobQueue`.
  platform: ["graphile_worker.add_job", "graphile_worker.add_jobs", "graphile_worker._private_jobs"],
  migrations: []
}

/**
 * The one exception, file by file: the recommendations rebuild reads these tables of other features
 * (never writes them) in set-based statements, because rebuilding 100,000 users' suggestions must be
 * a few statements per batch of users, not a service call per user and source.
 */
const readers: Record<string, ReadonlyArray<string>> = {
  "Recommendations/RebuildRepo.ts": [
    "users",
    "groups",
    "group_members",
    "group_bans",
    "group_join_requests",
    "events",
    "event_rsvps",
    "posts",
    "reactions",
    "follows",
    "friendships",
    "blocks",
    "social_settings",
    "contact_hashes",
    "phone_numbers"
  ]
}

const filesUnder = (directory: string): ReadonlyArray<string> =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(directory, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(directory, entry.name)]
        : []
  )

/** Functions and keywords that follow `FROM` like a table does. */
const functions = [
  "now",
  "unnest",
  "lateral",
  "generate_series",
  "generate_subscripts",
  "jsonb_to_recordset",
  "jsonb_array_elements",
  "pg_partition_tree"
]

/**
 * Table names after the SQL keywords that introduce one, in the file's SQL templates; the names the
 * file's templates give common table expressions (`WITH moved AS (...)`, or a shared head of several
 * statements that starts a template with `batch AS (...)`) are not tables, nor are the temporary
 * tables the file creates (`CREATE TEMPORARY TABLE rb_batch ...`), which live for its transaction,
 * nor the names a migration gives a table it then drops (`ALTER TABLE x RENAME TO x_old`).
 */
const tablesIn = (source: string): ReadonlySet<string> => {
  const templates = source.match(/sql(?:<[^>]*>)?`[\s\S]*?`/g) ?? []
  const names = new Set<string>()
  const local = new Set(
    templates.flatMap((template) =>
      [
        ...template.matchAll(/(?:\bWITH|,|`)\s+([a-z_]+)\s+AS\s*\(/g),
        ...template.matchAll(/\bCREATE\s+TEMPORARY\s+TABLE\s+([a-z_]+)/g),
        ...template.matchAll(/\bRENAME\s+TO\s+([a-z_]+)/g)
      ].map((match) => match[1])
    )
  )
  for (const template of templates) {
    for (const match of template.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+([a-z_][a-z_.]*)/g)) {
      const name = match[1]
      if (name !== undefined && !local.has(name) && !functions.includes(name)) names.add(name)
    }
  }
  return names
}

const allOwned = new Set(Object.values(owners).flat())

describe("table ownership", () => {
  it("no feature's SQL names another feature's table", () => {
    const trespasses = filesUnder(src).flatMap((file) => {
      const feature = relative(src, file).split("/")[0] ?? ""
      const own = new Set([...(owners[feature] ?? []), ...(readers[relative(src, file)] ?? [])])
      return [...tablesIn(readFileSync(file, "utf8"))]
        .filter((table) => !own.has(table) && !(feature === "migrations" && allOwned.has(table)))
        .map((table) => `${relative(src, file)} names ${table}`)
    })
    expect(trespasses).toEqual([])
  })

  it("a file that reads other features' tables only reads them", () => {
    const writes = Object.entries(readers).flatMap(([file, tables]) => {
      const templates = readFileSync(join(src, file), "utf8").match(/sql(?:<[^>]*>)?`[\s\S]*?`/g) ?? []
      return templates.flatMap((template) =>
        [...template.matchAll(/\b(?:INTO|UPDATE|TABLE|DELETE FROM)\s+([a-z_][a-z_.]*)/g)]
          .map((match) => match[1] ?? "")
          .filter((table) => tables.includes(table))
          .map((table) => `${file} writes ${table}`)
      )
    })
    expect(writes).toEqual([])
  })

  it("every table the migrations create belongs to exactly one feature", () => {
    const created = filesUnder(join(src, "migrations")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/CREATE TABLE (\w+)/g)].flatMap((match) => (match[1] ? [match[1]] : []))
    )
    expect(created.length).toBeGreaterThan(5)
    for (const table of created) {
      const features = Object.entries(owners).filter(
        ([feature, tables]) => feature !== "migrations" && tables.includes(table)
      )
      expect(
        features.map(([feature]) => feature),
        table
      ).toHaveLength(1)
    }
  })
})
