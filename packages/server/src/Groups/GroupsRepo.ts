import { UserId } from "@moim/domain/Accounts/User"
import {
  EventCreation,
  GroupCategory,
  GroupId,
  GroupVisibility,
  JoinPolicy,
  MemberRole,
  PostNotificationLevel
} from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

/** A row of `groups`, every column but `search` (a tsvector for the index, not for reading). */
export const GroupRow = Schema.Struct({
  id: GroupId,
  name: Schema.String,
  description: Schema.String,
  category: GroupCategory,
  tags: Schema.Array(Schema.String),
  visibility: GroupVisibility,
  joinPolicy: JoinPolicy,
  memberLimit: Schema.NullOr(Schema.Int),
  eventCreation: EventCreation,
  imageKey: Schema.NullOr(Schema.String),
  ownerId: UserId,
  memberCount: Schema.Int,
  postCount: Schema.Int,
  version: Schema.Int,
  createdAt: Schema.Date,
  updatedAt: Schema.Date
})
export type GroupRow = typeof GroupRow.Type

/** A group found by a search, with its relevance. */
export const ListedGroupRow = Schema.Struct({ ...GroupRow.fields, rank: Schema.Number })
export type ListedGroupRow = typeof ListedGroupRow.Type

/** A group of the user's, with their role and when they joined. */
export const MemberGroupRow = Schema.Struct({
  ...GroupRow.fields,
  role: MemberRole,
  postNotifications: PostNotificationLevel,
  joinedAt: Schema.Date
})
export type MemberGroupRow = typeof MemberGroupRow.Type

const DeletedGroup = Schema.Struct({ id: GroupId, imageKey: Schema.NullOr(Schema.String) })

const decodeGroup = Rows.first(GroupRow)
const decodeGroups = Rows.all(GroupRow)
const decodeListed = Rows.all(ListedGroupRow)
const decodeMemberGroups = Rows.all(MemberGroupRow)
const decodeDeleted = Rows.all(DeletedGroup)

export type GroupSortKey = "relevance" | "newest" | "members"

export interface GroupFields {
  readonly name: string
  readonly description: string
  readonly category: GroupCategory
  readonly tags: ReadonlyArray<string>
  readonly visibility: "public" | "private"
  readonly joinPolicy: "open" | "approval" | "invite"
  readonly memberLimit: number | null
  readonly eventCreation: EventCreation
}

const groupColumnList = `id, name, description, category, tags, visibility, join_policy, member_limit, event_creation,
  image_key, owner_id, member_count, post_count, version, created_at, updated_at`

/** The `groups` table: each group's fields, search vector, owner and member count. */
export class GroupsRepo extends Context.Service<
  GroupsRepo,
  {
    /** Creates the group with one member counted (its owner, whom `MembershipsRepo` records). */
    readonly insert: (id: GroupId, ownerId: UserId, fields: GroupFields) => Effect.Effect<GroupRow>
    readonly find: (id: GroupId) => Effect.Effect<Option.Option<GroupRow>>
    /** The groups of `ids` that exist (not deleted), in one query. */
    readonly findMany: (ids: ReadonlyArray<GroupId>) => Effect.Effect<ReadonlyArray<GroupRow>>
    /** Locks the row for the rest of the transaction: membership changes of one group serialise on it. */
    readonly lock: (id: GroupId) => Effect.Effect<Option.Option<GroupRow>>
    readonly update: (
      id: GroupId,
      fields: GroupFields & { readonly imageKey: string | null }
    ) => Effect.Effect<Option.Option<GroupRow>>
    readonly softDelete: (id: GroupId) => Effect.Effect<void>
    /** Deletes groups deleted more than `olderThanDays` ago (their members and invitations go with them). */
    readonly purgeDeleted: (
      olderThanDays: number
    ) => Effect.Effect<ReadonlyArray<{ readonly id: GroupId; readonly imageKey: string | null }>>
    /** Public groups, filtered and sorted, after a keyset position. */
    readonly list: (options: {
      readonly tsQuery: string | null
      readonly category: string | undefined
      readonly tag: string | undefined
      readonly sort: GroupSortKey
      readonly limit: number
      readonly after: { readonly key: string; readonly id: string } | null
    }) => Effect.Effect<ReadonlyArray<ListedGroupRow>>
    /** The user's groups, most recently joined first (reads their memberships beside the groups). */
    readonly listForMember: (options: {
      readonly userId: UserId
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<MemberGroupRow>>
    /** Counts a new member if the group has room; false when it is full. Call on the locked row. */
    readonly reserveSeat: (id: GroupId) => Effect.Effect<boolean>
    readonly releaseSeat: (id: GroupId) => Effect.Effect<void>
    /** Adds `delta` to the group's post count. */
    readonly addPosts: (id: GroupId, delta: number) => Effect.Effect<void>
    readonly setOwner: (id: GroupId, ownerId: UserId) => Effect.Effect<Option.Option<GroupRow>>
  }
>()("@moim/server/Groups/GroupsRepo") {
  static readonly layer = Layer.effect(
    GroupsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const groupColumns = sql.literal(groupColumnList)
      const searchVector = (fields: GroupFields) =>
        sql`setweight(to_tsvector('simple', ${fields.name}), 'A') || setweight(to_tsvector('simple', ${fields.tags.join(" ")}), 'B') || setweight(to_tsvector('simple', ${fields.description}), 'C')`

      return GroupsRepo.of({
        insert: Effect.fn("GroupsRepo.insert")(function* (id, ownerId, fields) {
          const row = yield* sql`
            INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit,
              event_creation, owner_id, member_count, search, created_at, updated_at)
            VALUES (${id}, ${fields.name}, ${fields.description}, ${fields.category}, ${[...fields.tags]}::text[],
              ${fields.visibility}, ${fields.joinPolicy}, ${fields.memberLimit}, ${fields.eventCreation}, ${ownerId}, 1,
              ${searchVector(fields)}, now(), now())
            RETURNING ${groupColumns}`.pipe(Effect.flatMap(decodeGroup))
          if (row._tag === "None") return yield* Effect.die(new Error("The new group was not returned"))
          return row.value
        }, Effect.orDie),

        find: Effect.fn("GroupsRepo.find")(function* (id) {
          return yield* sql`SELECT ${groupColumns} FROM groups WHERE id = ${id} AND deleted_at IS NULL`.pipe(
            Effect.flatMap(decodeGroup)
          )
        }, Effect.orDie),

        findMany: Effect.fn("GroupsRepo.findMany")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`
            SELECT ${groupColumns} FROM groups WHERE id = ANY(${[...ids]}::uuid[]) AND deleted_at IS NULL`.pipe(
            Effect.flatMap(decodeGroups)
          )
        }, Effect.orDie),

        lock: Effect.fn("GroupsRepo.lock")(function* (id) {
          return yield* sql`SELECT ${groupColumns} FROM groups WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`.pipe(
            Effect.flatMap(decodeGroup)
          )
        }, Effect.orDie),

        update: Effect.fn("GroupsRepo.update")(function* (id, fields) {
          return yield* sql`
            UPDATE groups SET name = ${fields.name}, description = ${fields.description}, category = ${fields.category},
              tags = ${[...fields.tags]}::text[], visibility = ${fields.visibility}, join_policy = ${fields.joinPolicy},
              member_limit = ${fields.memberLimit}, event_creation = ${fields.eventCreation}, image_key = ${fields.imageKey},
              search = ${searchVector(fields)}, version = version + 1, updated_at = now()
            WHERE id = ${id} AND deleted_at IS NULL RETURNING ${groupColumns}`.pipe(Effect.flatMap(decodeGroup))
        }, Effect.orDie),

        softDelete: Effect.fn("GroupsRepo.softDelete")(function* (id) {
          yield* sql`UPDATE groups SET deleted_at = now(), updated_at = now() WHERE id = ${id} AND deleted_at IS NULL`
        }, Effect.orDie),

        purgeDeleted: Effect.fn("GroupsRepo.purgeDeleted")(function* (olderThanDays) {
          return yield* sql`
            DELETE FROM groups WHERE deleted_at < now() - make_interval(days => ${olderThanDays})
            RETURNING id, image_key`.pipe(Effect.flatMap(decodeDeleted))
        }, Effect.orDie),

        list: Effect.fn("GroupsRepo.list")(function* (options) {
          const { after, sort, tsQuery } = options
          const rank = tsQuery === null ? sql`0::real` : sql`ts_rank_cd(search, to_tsquery('simple', ${tsQuery}))::real`
          const keyset =
            after === null
              ? sql`true`
              : sort === "relevance"
                ? sql`(rank < ${after.key}::real OR (rank = ${after.key}::real AND id > ${after.id}::uuid))`
                : sort === "members"
                  ? sql`(member_count, id) < (${after.key}::int, ${after.id}::uuid)`
                  : sql`(created_at, id) < (${after.key}::timestamptz, ${after.id}::uuid)`
          const order =
            sort === "relevance"
              ? sql`rank DESC, id ASC`
              : sort === "members"
                ? sql`member_count DESC, id DESC`
                : sql`created_at DESC, id DESC`
          return yield* sql`
            SELECT * FROM (
              SELECT ${groupColumns}, ${rank} AS rank FROM groups
              WHERE deleted_at IS NULL AND visibility = 'public'
                AND ${tsQuery === null ? sql`true` : sql`search @@ to_tsquery('simple', ${tsQuery})`}
                AND ${options.category === undefined ? sql`true` : sql`category = ${options.category}`}
                AND ${options.tag === undefined ? sql`true` : sql`tags @> ARRAY[${options.tag}]::text[]`}
            ) found
            WHERE ${keyset}
            ORDER BY ${order}
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeListed))
        }, Effect.orDie),

        listForMember: Effect.fn("GroupsRepo.listForMember")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT ${sql.literal(
              groupColumnList
                .split(",")
                .map((column) => `g.${column.trim()}`)
                .join(", ")
            )}, m.role, m.post_notifications, m.joined_at FROM group_members m JOIN groups g ON g.id = m.group_id
            WHERE m.user_id = ${options.userId} AND g.deleted_at IS NULL
              AND ${after === null ? sql`true` : sql`(m.joined_at, m.group_id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY m.joined_at DESC, m.group_id DESC
            LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeMemberGroups))
        }, Effect.orDie),

        reserveSeat: Effect.fn("GroupsRepo.reserveSeat")(function* (id) {
          const counted = yield* sql`
            UPDATE groups SET member_count = member_count + 1, updated_at = now()
            WHERE id = ${id} AND deleted_at IS NULL AND (member_limit IS NULL OR member_count < member_limit)
            RETURNING member_count`
          return counted.length > 0
        }, Effect.orDie),

        releaseSeat: Effect.fn("GroupsRepo.releaseSeat")(function* (id) {
          yield* sql`UPDATE groups SET member_count = member_count - 1, updated_at = now() WHERE id = ${id}`
        }, Effect.orDie),

        addPosts: Effect.fn("GroupsRepo.addPosts")(function* (id, delta) {
          yield* sql`UPDATE groups SET post_count = greatest(post_count + ${delta}, 0) WHERE id = ${id}`
        }, Effect.orDie),

        setOwner: Effect.fn("GroupsRepo.setOwner")(function* (id, ownerId) {
          return yield* sql`
            UPDATE groups SET owner_id = ${ownerId}, updated_at = now() WHERE id = ${id}
            RETURNING ${groupColumns}`.pipe(Effect.flatMap(decodeGroup))
        }, Effect.orDie)
      })
    })
  )
}
