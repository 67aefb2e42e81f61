import { UserId } from "@moim/domain/Accounts/User"
import { ChannelId, ChannelKind, ChannelNotifyLevel, ChannelRole, MessageId } from "@moim/domain/Chat/Chat"
import { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

export const ChannelRow = Schema.Struct({
  id: ChannelId,
  groupId: Schema.NullOr(GroupId),
  kind: ChannelKind,
  name: Schema.NullOr(Schema.String),
  topic: Schema.String,
  isDefault: Schema.Boolean,
  directKey: Schema.NullOr(Schema.String),
  createdBy: Schema.NullOr(UserId),
  archivedAt: Schema.NullOr(Schema.Date),
  lastSeq: Schema.FiniteFromString,
  lastMessageAt: Schema.NullOr(Schema.Date),
  memberCount: Schema.Int,
  createdAt: Schema.Date
})
export type ChannelRow = typeof ChannelRow.Type

export const MembershipRow = Schema.Struct({
  channelId: ChannelId,
  userId: UserId,
  role: ChannelRole,
  lastReadSeq: Schema.FiniteFromString,
  joinedAt: Schema.Date,
  /** Their notification setting; null is the default (`all` in a conversation, `mentions` in a channel). */
  notify: Schema.NullOr(ChannelNotifyLevel)
})
export type MembershipRow = typeof MembershipRow.Type

/** A member's unread and mention counts in one channel, and the message they last read. */
export const ReadRow = Schema.Struct({
  channelId: ChannelId,
  lastReadSeq: Schema.FiniteFromString,
  lastReadMessageId: Schema.NullOr(MessageId),
  unreadCount: Schema.Int,
  mentionCount: Schema.Int
})
export type ReadRow = typeof ReadRow.Type

const decodeChannel = Rows.first(ChannelRow)
const decodeChannels = Rows.all(ChannelRow)
const decodeMembership = Rows.first(MembershipRow)
const decodeMemberships = Rows.all(MembershipRow)
const decodeReads = Rows.all(ReadRow)
const decodeChannelIds = Rows.all(Schema.Struct({ channelId: ChannelId }))
const decodeUserIds = Rows.all(Schema.Struct({ userId: UserId }))
const decodeLevels = Rows.all(Schema.Struct({ userId: UserId, notify: Schema.NullOr(ChannelNotifyLevel) }))
const decodeChannelsOf = Rows.all(
  Schema.Struct({ channelId: ChannelId, direct: Schema.Boolean, otherId: Schema.NullOr(UserId) })
)

const columns = `id, group_id, kind, name, topic, is_default, direct_key, created_by, archived_at, last_seq::text AS last_seq,
  last_message_at, member_count, created_at`
const joinedColumns = columns
  .split(",")
  .map((column) => `c.${column.trim()}`)
  .join(", ")

/** How far back unread and mention counts look: a channel left unread for long shows "1000+". */
export const unreadCap = 1000

/** The `chat_channels` and `chat_members` tables. */
export class ChannelsRepo extends Context.Service<
  ChannelsRepo,
  {
    /** Inserts a channel unless its name (in its group) or its conversation key is taken. */
    readonly insert: (channel: {
      readonly id: ChannelId
      readonly groupId: GroupId | null
      readonly kind: ChannelKind
      readonly name: string | null
      readonly topic: string
      readonly isDefault: boolean
      readonly directKey: string | null
      readonly createdBy: UserId | null
    }) => Effect.Effect<Option.Option<ChannelRow>>
    readonly find: (id: ChannelId) => Effect.Effect<Option.Option<ChannelRow>>
    readonly findMany: (ids: ReadonlyArray<ChannelId>) => Effect.Effect<ReadonlyArray<ChannelRow>>
    /** The channel's row, locked until the transaction ends: sends and membership changes serialise on it. */
    readonly lock: (id: ChannelId) => Effect.Effect<Option.Option<ChannelRow>>
    readonly findDefault: (groupId: GroupId) => Effect.Effect<Option.Option<ChannelRow>>
    readonly findDirect: (directKey: string) => Effect.Effect<Option.Option<ChannelRow>>
    /** Names of one group's channels are taken one at a time (creations and renames), under this lock. */
    readonly lockNames: (groupId: GroupId) => Effect.Effect<void>
    readonly nameTaken: (groupId: GroupId, name: string, except: ChannelId | null) => Effect.Effect<boolean>
    readonly update: (
      id: ChannelId,
      fields: { readonly name: string | null; readonly topic: string }
    ) => Effect.Effect<ChannelRow>
    readonly setArchived: (id: ChannelId, archived: boolean) => Effect.Effect<ChannelRow>
    /** The next message number of a locked channel; also its latest activity. */
    readonly nextSeq: (id: ChannelId) => Effect.Effect<number>
    /** A group's channels the user may list (public ones, and private ones they are in), `general` first then by name. */
    readonly listInGroup: (query: {
      readonly groupId: GroupId
      readonly userId: UserId
      readonly archived: boolean
      readonly afterKey: string | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<ChannelRow>>
    /** The channels and conversations the user is in, most recently active first. */
    readonly listMine: (query: {
      readonly userId: UserId
      readonly groupId: GroupId | null
      readonly kind: ChannelKind | null
      readonly after: TimePosition | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<ChannelRow>>
    readonly membership: (channelId: ChannelId, userId: UserId) => Effect.Effect<Option.Option<MembershipRow>>
    readonly memberships: (
      channelIds: ReadonlyArray<ChannelId>,
      userId: UserId
    ) => Effect.Effect<ReadonlyArray<MembershipRow>>
    /** Adds a member (counted on the channel row); false if they were in it already. */
    readonly addMember: (channelId: ChannelId, userId: UserId, role: ChannelRole) => Effect.Effect<boolean>
    /** Removes a member (counted on the channel row); false if they were not in it. */
    readonly removeMember: (channelId: ChannelId, userId: UserId) => Effect.Effect<boolean>
    /** Removes the user from every channel of the group; returns the channels they left. */
    readonly removeFromGroup: (groupId: GroupId, userId: UserId) => Effect.Effect<ReadonlyArray<ChannelId>>
    /** Members, admins first, then by when they joined. */
    readonly members: (query: {
      readonly channelId: ChannelId
      readonly after: { readonly rank: number; readonly at: string; readonly userId: string } | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<MembershipRow>>
    /** Of `userIds`, those in the channel. */
    readonly membersAmong: (
      channelId: ChannelId,
      userIds: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyArray<UserId>>
    /** Everyone in the channel (a direct conversation's handful of people). */
    readonly allMembers: (channelId: ChannelId) => Effect.Effect<ReadonlyArray<UserId>>
    /** Everyone in each of these channels (a page of conversations), in one query. */
    readonly membersOf: (
      channelIds: ReadonlyArray<ChannelId>
    ) => Effect.Effect<ReadonlyArray<{ readonly channelId: ChannelId; readonly userId: UserId }>>
    /** Sets someone's notification level in the channel (null: the default); false when they are not in it. */
    readonly setNotify: (
      channelId: ChannelId,
      userId: UserId,
      level: ChannelNotifyLevel | null
    ) => Effect.Effect<boolean>
    /**
     * The settings (null: the default) of those in the channel whom a message may notify: everyone
     * when `everyone`, else those among `userIds` and those whose setting is `all`.
     */
    readonly notifyLevels: (
      channelId: ChannelId,
      scope: { readonly everyone: boolean; readonly userIds: ReadonlyArray<UserId> }
    ) => Effect.Effect<ReadonlyMap<UserId, ChannelNotifyLevel | null>>
    /** Every channel and conversation the user is in; for a conversation, the others in it too (presence). */
    readonly channelsOf: (
      userId: UserId
    ) => Effect.Effect<ReadonlyArray<{ readonly channelId: ChannelId; readonly others: ReadonlyArray<UserId> | null }>>
    /** Moves the member's read position forward to `seq` (never back); returns the position now. */
    readonly markRead: (channelId: ChannelId, userId: UserId, seq: number) => Effect.Effect<number>
    /** The user's read state in each of the channels they are in. */
    readonly reads: (channelIds: ReadonlyArray<ChannelId>, userId: UserId) => Effect.Effect<ReadonlyArray<ReadRow>>
  }
>()("@moim/server/Chat/ChannelsRepo") {
  static readonly layer = Layer.effect(
    ChannelsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      const joined = sql.literal(joinedColumns)

      const single = (rows: ReadonlyArray<unknown>) =>
        Effect.flatMap(decodeChannel(rows), (row) =>
          Option.isSome(row) ? Effect.succeed(row.value) : Effect.die(new Error("A channel just written is missing"))
        )

      return ChannelsRepo.of({
        insert: Effect.fn("ChannelsRepo.insert")(function* (channel) {
          return yield* sql`
            INSERT INTO chat_channels (id, group_id, kind, name, topic, is_default, direct_key, created_by, created_at,
              updated_at)
            VALUES (${channel.id}, ${channel.groupId}, ${channel.kind}, ${channel.name}, ${channel.topic},
              ${channel.isDefault}, ${channel.directKey}, ${channel.createdBy}, now(), now())
            ON CONFLICT DO NOTHING
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeChannel))
        }, Effect.orDie),

        find: Effect.fn("ChannelsRepo.find")(function* (id) {
          return yield* sql`SELECT ${selected} FROM chat_channels WHERE id = ${id}`.pipe(Effect.flatMap(decodeChannel))
        }, Effect.orDie),

        findMany: Effect.fn("ChannelsRepo.findMany")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`SELECT ${selected} FROM chat_channels WHERE id = ANY(${ids}::uuid[])`.pipe(
            Effect.flatMap(decodeChannels)
          )
        }, Effect.orDie),

        lock: Effect.fn("ChannelsRepo.lock")(function* (id) {
          return yield* sql`SELECT ${selected} FROM chat_channels WHERE id = ${id} FOR UPDATE`.pipe(
            Effect.flatMap(decodeChannel)
          )
        }, Effect.orDie),

        findDefault: Effect.fn("ChannelsRepo.findDefault")(function* (groupId) {
          return yield* sql`SELECT ${selected} FROM chat_channels WHERE group_id = ${groupId} AND is_default`.pipe(
            Effect.flatMap(decodeChannel)
          )
        }, Effect.orDie),

        findDirect: Effect.fn("ChannelsRepo.findDirect")(function* (directKey) {
          return yield* sql`SELECT ${selected} FROM chat_channels WHERE direct_key = ${directKey}`.pipe(
            Effect.flatMap(decodeChannel)
          )
        }, Effect.orDie),

        lockNames: Effect.fn("ChannelsRepo.lockNames")(function* (groupId) {
          yield* sql`SELECT pg_advisory_xact_lock(hashtextextended(${`chat-names:${groupId}`}, 0))`
        }, Effect.orDie),

        nameTaken: Effect.fn("ChannelsRepo.nameTaken")(function* (groupId, name, except) {
          const rows = yield* sql`
            SELECT 1 FROM chat_channels
            WHERE group_id = ${groupId} AND name = ${name} AND (${except}::uuid IS NULL OR id <> ${except}::uuid)`
          return rows.length > 0
        }, Effect.orDie),

        update: Effect.fn("ChannelsRepo.update")(function* (id, fields) {
          return yield* sql`
            UPDATE chat_channels SET name = ${fields.name}, topic = ${fields.topic}, updated_at = now()
            WHERE id = ${id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        setArchived: Effect.fn("ChannelsRepo.setArchived")(function* (id, archived) {
          return yield* sql`
            UPDATE chat_channels SET archived_at = ${archived ? sql`now()` : sql`NULL`}, updated_at = now()
            WHERE id = ${id}
            RETURNING ${selected}`.pipe(Effect.flatMap(single))
        }, Effect.orDie),

        nextSeq: Effect.fn("ChannelsRepo.nextSeq")(function* (id) {
          const rows = yield* sql`
            UPDATE chat_channels SET last_seq = last_seq + 1, last_message_at = now()
            WHERE id = ${id}
            RETURNING last_seq::text AS seq`.pipe(
            Effect.flatMap(Rows.first(Schema.Struct({ seq: Schema.FiniteFromString })))
          )
          if (Option.isNone(rows)) return yield* Effect.die(new Error("A locked channel is missing"))
          return rows.value.seq
        }, Effect.orDie),

        listInGroup: Effect.fn("ChannelsRepo.listInGroup")(function* (query) {
          return yield* sql`
            SELECT ${joined} FROM chat_channels c
            WHERE c.group_id = ${query.groupId}
              AND (c.archived_at IS NOT NULL) = ${query.archived}
              AND (c.kind = 'public' OR EXISTS (
                SELECT 1 FROM chat_members m WHERE m.channel_id = c.id AND m.user_id = ${query.userId}))
              AND (${query.afterKey}::text IS NULL
                OR (CASE WHEN c.is_default THEN '' ELSE c.name END) > ${query.afterKey}::text)
            ORDER BY (CASE WHEN c.is_default THEN '' ELSE c.name END)
            LIMIT ${query.limit}`.pipe(Effect.flatMap(decodeChannels))
        }, Effect.orDie),

        listMine: Effect.fn("ChannelsRepo.listMine")(function* (query) {
          const activity = sql.literal("COALESCE(c.last_message_at, c.created_at)")
          return yield* sql`
            SELECT ${joined} FROM chat_members m JOIN chat_channels c ON c.id = m.channel_id
            WHERE m.user_id = ${query.userId}
              AND (${query.groupId}::uuid IS NULL OR c.group_id = ${query.groupId}::uuid)
              AND (${query.kind}::text IS NULL OR c.kind = ${query.kind}::text)
              AND ${
                query.after === null
                  ? sql`true`
                  : sql`(${activity}, c.id) < (${query.after.at}::timestamptz, ${query.after.id}::uuid)`
              }
            ORDER BY ${activity} DESC, c.id DESC
            LIMIT ${query.limit}`.pipe(Effect.flatMap(decodeChannels))
        }, Effect.orDie),

        membership: Effect.fn("ChannelsRepo.membership")(function* (channelId, userId) {
          return yield* sql`
            SELECT channel_id, user_id, role, last_read_seq::text AS last_read_seq, joined_at, notify FROM chat_members
            WHERE channel_id = ${channelId} AND user_id = ${userId}`.pipe(Effect.flatMap(decodeMembership))
        }, Effect.orDie),

        memberships: Effect.fn("ChannelsRepo.memberships")(function* (channelIds, userId) {
          if (channelIds.length === 0) return []
          return yield* sql`
            SELECT channel_id, user_id, role, last_read_seq::text AS last_read_seq, joined_at, notify FROM chat_members
            WHERE channel_id = ANY(${channelIds}::uuid[]) AND user_id = ${userId}`.pipe(
            Effect.flatMap(decodeMemberships)
          )
        }, Effect.orDie),

        addMember: Effect.fn("ChannelsRepo.addMember")(function* (channelId, userId, role) {
          const rows = yield* sql`
            WITH added AS (
              INSERT INTO chat_members (channel_id, user_id, role, last_read_seq, joined_at)
              SELECT ${channelId}, ${userId}, ${role}, c.last_seq, now() FROM chat_channels c WHERE c.id = ${channelId}
              ON CONFLICT DO NOTHING
              RETURNING channel_id
            )
            UPDATE chat_channels SET member_count = member_count + 1
            WHERE id IN (SELECT channel_id FROM added)
            RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        removeMember: Effect.fn("ChannelsRepo.removeMember")(function* (channelId, userId) {
          const rows = yield* sql`
            WITH removed AS (
              DELETE FROM chat_members WHERE channel_id = ${channelId} AND user_id = ${userId} RETURNING channel_id
            )
            UPDATE chat_channels SET member_count = member_count - 1
            WHERE id IN (SELECT channel_id FROM removed)
            RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        removeFromGroup: Effect.fn("ChannelsRepo.removeFromGroup")(function* (groupId, userId) {
          return yield* sql`
            WITH removed AS (
              DELETE FROM chat_members m USING chat_channels c
              WHERE c.id = m.channel_id AND c.group_id = ${groupId} AND m.user_id = ${userId}
              RETURNING m.channel_id
            )
            UPDATE chat_channels SET member_count = member_count - 1
            WHERE id IN (SELECT channel_id FROM removed)
            RETURNING id AS channel_id`.pipe(
            Effect.flatMap(decodeChannelIds),
            Effect.map((rows) => rows.map((row) => row.channelId))
          )
        }, Effect.orDie),

        members: Effect.fn("ChannelsRepo.members")(function* (query) {
          const rank = sql.literal("(CASE WHEN role = 'admin' THEN 0 ELSE 1 END)")
          return yield* sql`
            SELECT channel_id, user_id, role, last_read_seq::text AS last_read_seq, joined_at, notify FROM chat_members
            WHERE channel_id = ${query.channelId}
              AND ${
                query.after === null
                  ? sql`true`
                  : sql`(${rank}, joined_at, user_id) > (${query.after.rank}, ${query.after.at}::timestamptz, ${query.after.userId}::uuid)`
              }
            ORDER BY ${rank}, joined_at, user_id
            LIMIT ${query.limit}`.pipe(Effect.flatMap(decodeMemberships))
        }, Effect.orDie),

        membersAmong: Effect.fn("ChannelsRepo.membersAmong")(function* (channelId, userIds) {
          if (userIds.length === 0) return []
          return yield* sql`
            SELECT user_id FROM chat_members WHERE channel_id = ${channelId} AND user_id = ANY(${userIds}::uuid[])`.pipe(
            Effect.flatMap(decodeUserIds),
            Effect.map((rows) => rows.map((row) => row.userId))
          )
        }, Effect.orDie),

        membersOf: Effect.fn("ChannelsRepo.membersOf")(function* (channelIds) {
          if (channelIds.length === 0) return []
          return yield* sql`
            SELECT channel_id, user_id FROM chat_members
            WHERE channel_id = ANY(${channelIds}::uuid[]) ORDER BY channel_id, joined_at`.pipe(
            Effect.flatMap(Rows.all(Schema.Struct({ channelId: ChannelId, userId: UserId })))
          )
        }, Effect.orDie),

        allMembers: Effect.fn("ChannelsRepo.allMembers")(function* (channelId) {
          return yield* sql`SELECT user_id FROM chat_members WHERE channel_id = ${channelId} ORDER BY joined_at`.pipe(
            Effect.flatMap(decodeUserIds),
            Effect.map((rows) => rows.map((row) => row.userId))
          )
        }, Effect.orDie),

        setNotify: Effect.fn("ChannelsRepo.setNotify")(function* (channelId, userId, level) {
          const rows = yield* sql`
            UPDATE chat_members SET notify = ${level}
            WHERE channel_id = ${channelId} AND user_id = ${userId}
            RETURNING user_id`
          return rows.length > 0
        }, Effect.orDie),

        notifyLevels: Effect.fn("ChannelsRepo.notifyLevels")(function* (channelId, scope) {
          const rows = yield* sql`
            SELECT user_id, notify FROM chat_members
            WHERE channel_id = ${channelId}
              AND ${
                scope.everyone ? sql`true` : sql`(notify = 'all' OR user_id = ANY(${scope.userIds}::uuid[]))`
              }`.pipe(Effect.flatMap(decodeLevels))
          return new Map(rows.map((row) => [row.userId, row.notify] as const))
        }, Effect.orDie),

        channelsOf: Effect.fn("ChannelsRepo.channelsOf")(function* (userId) {
          const rows = yield* sql`
            SELECT m.channel_id, c.kind = 'direct' AS direct, o.user_id AS other_id
            FROM chat_members m
            JOIN chat_channels c ON c.id = m.channel_id
            LEFT JOIN chat_members o ON c.kind = 'direct' AND o.channel_id = c.id AND o.user_id <> m.user_id
            WHERE m.user_id = ${userId}`.pipe(Effect.flatMap(decodeChannelsOf))
          const channels = new Map<ChannelId, Array<UserId> | null>()
          for (const row of rows) {
            const others = channels.get(row.channelId) ?? (row.direct ? [] : null)
            if (row.otherId !== null) others?.push(row.otherId)
            channels.set(row.channelId, others)
          }
          return [...channels].map(([channelId, others]) => ({ channelId, others }))
        }, Effect.orDie),

        markRead: Effect.fn("ChannelsRepo.markRead")(function* (channelId, userId, seq) {
          const rows = yield* sql`
            UPDATE chat_members SET last_read_seq = GREATEST(last_read_seq, ${seq})
            WHERE channel_id = ${channelId} AND user_id = ${userId}
            RETURNING last_read_seq::text AS seq`.pipe(
            Effect.flatMap(Rows.first(Schema.Struct({ seq: Schema.FiniteFromString })))
          )
          return Option.match(rows, { onNone: () => 0, onSome: (row) => row.seq })
        }, Effect.orDie),

        reads: Effect.fn("ChannelsRepo.reads")(function* (channelIds, userId) {
          if (channelIds.length === 0) return []
          // Counted over the messages after the last one read, at most `unreadCap` of them.
          return yield* sql`
            SELECT m.channel_id, m.last_read_seq::text AS last_read_seq,
              (SELECT r.id FROM chat_messages r WHERE r.channel_id = m.channel_id AND r.seq = m.last_read_seq)
                AS last_read_message_id,
              COALESCE(counted.unread, 0)::int AS unread_count,
              COALESCE(counted.mentions, 0)::int AS mention_count
            FROM chat_members m
            LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE x.thread_root_id IS NULL) AS unread,
                count(*) FILTER (WHERE x.mentions_channel OR ${userId}::uuid = ANY(x.mentioned_ids)) AS mentions
              FROM (
                SELECT x.thread_root_id, x.mentions_channel, x.mentioned_ids FROM chat_messages x
                WHERE x.channel_id = m.channel_id AND x.seq > m.last_read_seq AND x.deleted_at IS NULL
                  AND x.author_id IS DISTINCT FROM ${userId}::uuid
                ORDER BY x.seq
                LIMIT ${unreadCap}
              ) x
            ) counted ON true
            WHERE m.channel_id = ANY(${channelIds}::uuid[]) AND m.user_id = ${userId}`.pipe(Effect.flatMap(decodeReads))
        }, Effect.orDie)
      })
    })
  )
}
