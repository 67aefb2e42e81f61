import type { UploadNotFound } from "@moim/domain/Accounts/User"
import { Group, GroupId, type GroupNotFound } from "@moim/domain/Groups/Group"
import type { CreateGroupPayload, GroupSort, UpdateGroupPayload } from "@moim/domain/Groups/GroupsApi"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { PreconditionFailed } from "@moim/domain/Kit/ConditionalRequests"
import type { AvatarContentType, AvatarUpload } from "@moim/domain/Kit/ImageUpload"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { requireVersion } from "../Access/Preconditions.ts"
import { Cursors, type Page, type PageQuery, PositionField, TimePosition } from "../platform/Cursors.ts"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { toTsQuery } from "../platform/TextSearch.ts"
import { Transaction } from "../platform/Transaction.ts"
import { GroupAccess } from "./GroupAccess.ts"
import { GroupCache } from "./GroupCache.ts"
import { GroupStream } from "./GroupStream.ts"
import { type GroupFields, type GroupSortKey, GroupsRepo } from "./GroupsRepo.ts"
import { GroupViews } from "./GroupViews.ts"
import { InvitationsRepo } from "./InvitationsRepo.ts"
import { MembershipChanges } from "./MembershipChanges.ts"
import { MembershipsRepo } from "./MembershipsRepo.ts"

type SignedIn = CurrentUser["Service"]

/** Where a page of `GET /groups` ended, by sort: the rank, the member count or the creation time. */
const listPositions = {
  relevance: Schema.Struct({ key: PositionField.number, id: PositionField.id }),
  members: Schema.Struct({ key: PositionField.number, id: PositionField.id }),
  newest: Schema.Struct({ key: PositionField.time, id: PositionField.id })
}

const normaliseTags = (tags: ReadonlyArray<string>) => [...new Set(tags.map((tag) => tag.toLowerCase()))]

/**
 * Groups themselves: finding them, their lifecycle (create, edit, delete, purge) and their image.
 * Who is in a group is `Memberships`; who is invited, `Invitations`; who may do what, `GroupAccess`.
 */
export class Groups extends Context.Service<
  Groups,
  {
    /** Public groups, filtered and sorted; full-text search with `q`. Pages are cached. */
    readonly list: (
      query: {
        readonly q?: string | undefined
        readonly category?: string | undefined
        readonly tag?: string | undefined
        readonly sort?: typeof GroupSort.Type | undefined
      } & PageQuery
    ) => Effect.Effect<Page<Group>, InvalidCursor>
    readonly get: (groupId: GroupId, viewer: Option.Option<SignedIn>) => Effect.Effect<Group, GroupNotFound>
    /** The batch read: the groups the viewer may see, as `get` shows them, in the order asked, each once. */
    readonly getMany: (
      groupIds: ReadonlyArray<GroupId>,
      viewer: Option.Option<SignedIn>
    ) => Effect.Effect<ReadonlyArray<Group>>
    /** The creator becomes the owner. */
    readonly create: (user: SignedIn, input: typeof CreateGroupPayload.Type) => Effect.Effect<Group>
    readonly update: (
      user: SignedIn,
      groupId: GroupId,
      input: typeof UpdateGroupPayload.Type,
      /** The edit version the caller saw; a different current one fails with `PreconditionFailed`. */
      expectedVersion?: number
    ) => Effect.Effect<Group, GroupNotFound | Forbidden | UploadNotFound | PreconditionFailed>
    /** Hidden at once; purged by the cleanup cron after the retention period. */
    readonly remove: (user: SignedIn, groupId: GroupId) => Effect.Effect<void, GroupNotFound | Forbidden>
    readonly createImageUpload: (
      user: SignedIn,
      groupId: GroupId,
      contentType: typeof AvatarContentType.Type
    ) => Effect.Effect<AvatarUpload, GroupNotFound | Forbidden>
    /** A short-lived URL of a public group's image. */
    readonly imageDownloadUrl: (groupId: GroupId) => Effect.Effect<Option.Option<string>>
    /** The user's groups, most recently joined first. */
    readonly mine: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Group>, InvalidCursor>
    /**
     * The posts feature tells the group its post count changed (`groups.post_count` is the groups
     * feature's): call it in the transaction that adds or removes the post.
     */
    readonly countPosts: (groupId: GroupId, delta: number) => Effect.Effect<void>
    /** Removes groups deleted more than `retentionDays` ago, with their images; returns how many. */
    readonly purgeDeleted: (retentionDays: number) => Effect.Effect<number>
  }
>()("@moim/server/Groups/Groups") {
  static readonly layer = Layer.effect(
    Groups,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* GroupsRepo
      const memberships = yield* MembershipsRepo
      const invitations = yield* InvitationsRepo
      const access = yield* GroupAccess
      const cache = yield* GroupCache
      const views = yield* GroupViews
      const images = yield* ImageUploads
      const cursors = yield* Cursors
      const stream = yield* GroupStream.make
      const changes = yield* MembershipChanges

      return Groups.of({
        list: Effect.fn("Groups.list")(function* (query) {
          const limit = query.limit ?? defaultPageSize
          const tsQuery = query.q === undefined ? null : toTsQuery(query.q)
          const sort: GroupSortKey = query.sort ?? (tsQuery === null ? "newest" : "relevance")
          const effectiveSort: GroupSortKey = sort === "relevance" && tsQuery === null ? "newest" : sort
          const tag = query.tag?.toLowerCase()
          const key = JSON.stringify([tsQuery, query.category, tag, effectiveSort, limit, query.cursor])
          return yield* cache.lists.getOrSet(
            key,
            Effect.gen(function* () {
              const scope = `groups:${JSON.stringify([tsQuery, query.category, tag, effectiveSort])}`
              const after = yield* cursors.decode(listPositions[effectiveSort], scope, query.cursor)
              const rows = yield* repo.list({
                tsQuery,
                category: query.category,
                tag,
                sort: effectiveSort,
                limit: limit + 1,
                after
              })
              return cursors.page(
                scope,
                rows,
                limit,
                (row) => views.group(row, null),
                (row) => ({
                  key:
                    effectiveSort === "relevance"
                      ? String(row.rank)
                      : effectiveSort === "members"
                        ? String(row.memberCount)
                        : row.createdAt.toISOString(),
                  id: row.id
                })
              )
            })
          )
        }),

        get: Effect.fn("Groups.get")(function* (groupId, viewer) {
          const actor = Option.match(viewer, { onNone: () => null, onSome: Actor.of })
          const { group, standing } = yield* access.view(groupId, actor)
          return actor === null ? group : new Group({ ...group, viewer: views.viewer(standing, group.eventCreation) })
        }),

        getMany: Effect.fn("Groups.getMany")(function* (groupIds, viewer) {
          const actor = Option.match(viewer, { onNone: () => null, onSome: Actor.of })
          const unique = [...new Set(groupIds)]
          const seen = yield* access.viewMany(unique, actor)
          return unique.flatMap((id) => {
            const found = seen.get(id)
            if (found === undefined) return []
            return [
              actor === null
                ? found.group
                : new Group({ ...found.group, viewer: views.viewer(found.standing, found.group.eventCreation) })
            ]
          })
        }),

        create: Effect.fn("Groups.create")(function* (user, input) {
          const fields: GroupFields = {
            name: input.name,
            description: input.description ?? "",
            category: input.category,
            tags: normaliseTags(input.tags ?? []),
            visibility: input.visibility ?? "public",
            joinPolicy: input.joinPolicy ?? "open",
            memberLimit: input.memberLimit ?? null,
            eventCreation: input.eventCreation ?? "members"
          }
          const id = GroupId.make(SecureRandom.uuidV7Unsafe())
          const row = yield* transaction(
            Effect.gen(function* () {
              const row = yield* repo.insert(id, user.userId, fields)
              yield* memberships.insertMember(id, user.userId, "owner")
              yield* changes.joined(id, user.userId)
              return row
            })
          )
          yield* cache.lists.invalidateAll
          return views.group(row, {
            role: "owner",
            postNotifications: "mentions",
            pending: false,
            invited: false,
            banned: false
          })
        }),

        update: Effect.fn("Groups.update")(function* (user, groupId, input, expectedVersion) {
          if (input.imageUploadKey !== undefined && input.imageUploadKey !== null) {
            yield* images.verify(`uploads/groups/${groupId}/`, input.imageUploadKey)
          }
          const { updated, previousImage } = yield* transaction(
            Effect.gen(function* () {
              const { group, standing } = yield* access.require(groupId, Actor.of(user), "moderate")
              yield* requireVersion(expectedVersion, group.version)
              const row = yield* repo.update(groupId, {
                name: input.name ?? group.name,
                description: input.description ?? group.description,
                category: input.category ?? group.category,
                tags: input.tags === undefined ? group.tags : normaliseTags(input.tags),
                visibility: input.visibility ?? group.visibility,
                joinPolicy: input.joinPolicy ?? group.joinPolicy,
                memberLimit: input.memberLimit === undefined ? group.memberLimit : input.memberLimit,
                eventCreation: input.eventCreation ?? group.eventCreation,
                imageKey: input.imageUploadKey === undefined ? group.imageKey : input.imageUploadKey
              })
              if (Option.isNone(row)) return yield* Effect.die(new Error("The locked group was not updated"))
              yield* stream.updated(groupId)
              return { updated: views.group(row.value, standing), previousImage: group.imageKey }
            })
          )
          yield* cache.invalidate(groupId)
          if (input.imageUploadKey !== undefined && previousImage !== null && previousImage !== input.imageUploadKey) {
            yield* images.remove(previousImage)
          }
          return updated
        }),

        remove: Effect.fn("Groups.remove")(function* (user, groupId) {
          yield* transaction(
            Effect.gen(function* () {
              yield* access.require(groupId, Actor.of(user), "delete")
              yield* repo.softDelete(groupId)
              yield* invitations.revokeAll(groupId)
              yield* stream.deleted(groupId)
            })
          )
          yield* cache.invalidate(groupId)
        }),

        countPosts: Effect.fn("Groups.countPosts")(function* (groupId, delta) {
          yield* repo.addPosts(groupId, delta)
          yield* cache.invalidate(groupId)
        }),

        createImageUpload: Effect.fn("Groups.createImageUpload")(function* (user, groupId, contentType) {
          yield* access.check(groupId, Actor.of(user), "moderate")
          return yield* images.start(`uploads/groups/${groupId}/`, contentType)
        }),

        imageDownloadUrl: Effect.fn("Groups.imageDownloadUrl")(function* (groupId) {
          const row = yield* repo.find(groupId)
          if (Option.isNone(row) || row.value.imageKey === null || row.value.visibility !== "public") {
            return Option.none<string>()
          }
          return Option.some(yield* images.downloadUrl(row.value.imageKey))
        }),

        mine: Effect.fn("Groups.mine")(function* (user, query) {
          const limit = query.limit ?? defaultPageSize
          const scope = `my-groups:${user.userId}`
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.listForMember({ userId: user.userId, limit: limit + 1, after })
          return cursors.page(
            scope,
            rows,
            limit,
            (row) =>
              views.group(row, {
                role: row.role,
                postNotifications: row.postNotifications,
                pending: false,
                invited: false,
                banned: false
              }),
            (row) => ({ at: row.joinedAt.toISOString(), id: row.id })
          )
        }),

        purgeDeleted: Effect.fn("Groups.purgeDeleted")(function* (retentionDays) {
          const purged = yield* repo.purgeDeleted(retentionDays)
          yield* Effect.forEach(
            purged,
            (group) => (group.imageKey === null ? Effect.void : images.remove(group.imageKey)),
            { discard: true }
          )
          return purged.length
        })
      })
    })
  )
}
