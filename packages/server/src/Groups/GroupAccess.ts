import { type Group, type GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import { Context, Effect, Exit, Layer, Option } from "effect"
import type { Actor } from "../Access/Actor.ts"
import { GroupCache } from "./GroupCache.ts"
import { type GroupAction, GroupPolicy, type PolicyContext } from "./GroupPolicy.ts"
import { type GroupRow, GroupsRepo } from "./GroupsRepo.ts"
import { GroupViews } from "./GroupViews.ts"
import { MembershipsRepo, noStanding, type Standing } from "./MembershipsRepo.ts"

/** A group locked for the rest of a transaction, and where the actor stands with it. */
export interface Locked {
  readonly group: GroupRow
  readonly standing: Standing
  readonly context: PolicyContext
}

/**
 * Who may see and do what in a group, for everything that lives inside one: the groups feature
 * itself, and the posts, events and chat to come. A group the actor may not see answers
 * `GroupNotFound`, exactly as a group that does not exist; one they may see but not act on,
 * `Forbidden`. The rules themselves are `GroupPolicy`'s.
 */
export class GroupAccess extends Context.Service<
  GroupAccess,
  {
    /** The group (fresh from the cache) and where the actor stands, if the actor may see it. */
    readonly view: (
      groupId: GroupId,
      actor: Actor
    ) => Effect.Effect<{ readonly group: Group; readonly standing: Standing }, GroupNotFound>
    /**
     * `view` of many groups at once (a page of posts from several groups): those the actor may see,
     * with where they stand, in two queries; the others are missing from the map.
     */
    readonly viewMany: (
      groupIds: ReadonlyArray<GroupId>,
      actor: Actor
    ) => Effect.Effect<ReadonlyMap<GroupId, { readonly group: Group; readonly standing: Standing }>>
    /** Like `view`, and the actor may do `action`; for reads that need more than seeing. */
    readonly check: (
      groupId: GroupId,
      actor: NonNullable<Actor>,
      action: Exclude<GroupAction, "view">
    ) => Effect.Effect<{ readonly group: Group; readonly standing: Standing }, GroupNotFound | Forbidden>
    /**
     * Inside a transaction: the group's row locked for the rest of it (membership changes of one
     * group serialise on it) and where the actor stands, if the actor may see it.
     */
    readonly lock: (groupId: GroupId, actor: NonNullable<Actor>) => Effect.Effect<Locked, GroupNotFound>
    /** `lock` for someone invited: they may enter a group they cannot see yet (a private one). */
    readonly lockAsInvitee: (groupId: GroupId, actor: NonNullable<Actor>) => Effect.Effect<Locked, GroupNotFound>
    /** `lock`, and the actor may do `action`. */
    readonly require: (
      groupId: GroupId,
      actor: NonNullable<Actor>,
      action: Exclude<GroupAction, "view">
    ) => Effect.Effect<Locked, GroupNotFound | Forbidden>
    /** Where a user stands with a group, without any check (for the subject of a moderation). */
    readonly standing: (groupId: GroupId, userId: NonNullable<Actor>["userId"]) => Effect.Effect<Standing>
    /** The group, without any check (to name it in a notification to its members); none once deleted. */
    readonly describe: (groupId: GroupId) => Effect.Effect<Option.Option<Group>>
    /** The groups a user belongs to (for a home feed), most recently joined first, at most `limit`. */
    readonly memberOf: (userId: NonNullable<Actor>["userId"], limit: number) => Effect.Effect<ReadonlyArray<GroupId>>
  }
>()("@moim/server/Groups/GroupAccess") {
  static readonly layer = Layer.effect(
    GroupAccess,
    Effect.gen(function* () {
      const groups = yield* GroupsRepo
      const memberships = yield* MembershipsRepo
      const cache = yield* GroupCache
      const views = yield* GroupViews
      const notFound = () => new GroupNotFound({ message: "No such group" })

      const view = Effect.fn("GroupAccess.view")(function* (groupId: GroupId, actor: Actor) {
        const group = yield* cache.details.getOrSet(
          groupId,
          Effect.flatMap(groups.find(groupId), (row) =>
            Option.isNone(row) ? Effect.fail(notFound()) : Effect.succeed(views.group(row.value, null))
          )
        )
        const standing = actor === null ? noStanding : yield* memberships.standing(groupId, actor.userId)
        yield* GroupPolicy.checkView({ group, actor, standing })
        return { group, standing }
      })

      const lockAsInvitee = Effect.fn("GroupAccess.lockAsInvitee")(function* (
        groupId: GroupId,
        actor: NonNullable<Actor>
      ) {
        const row = yield* groups.lock(groupId)
        if (Option.isNone(row)) return yield* notFound()
        const standing = yield* memberships.standing(groupId, actor.userId)
        const locked: Locked = { group: row.value, standing, context: { group: row.value, actor, standing } }
        return locked
      })

      const lock = Effect.fn("GroupAccess.lock")(function* (groupId: GroupId, actor: NonNullable<Actor>) {
        const locked = yield* lockAsInvitee(groupId, actor)
        yield* GroupPolicy.checkView(locked.context)
        return locked
      })

      return GroupAccess.of({
        lock,
        lockAsInvitee,
        view,
        viewMany: Effect.fn("GroupAccess.viewMany")(function* (groupIds, actor) {
          const unique = [...new Set(groupIds)]
          if (unique.length === 1 && unique[0] !== undefined) {
            // One group (a group's own page): its cached details, as `view`.
            const only = unique[0]
            return yield* view(only, actor).pipe(
              Effect.map((seen) => new Map([[only, seen] as const])),
              Effect.orElseSucceed(() => new Map())
            )
          }
          const [rows, standings] = yield* Effect.all(
            [
              groups.findMany(unique),
              actor === null
                ? Effect.succeed(new Map<GroupId, Standing>())
                : memberships.standings(unique, actor.userId)
            ],
            { concurrency: 2 }
          )
          const seen = new Map<GroupId, { readonly group: Group; readonly standing: Standing }>()
          for (const row of rows) {
            const group = views.group(row, null)
            const standing = standings.get(row.id) ?? noStanding
            if (Exit.isSuccess(Effect.runSyncExit(GroupPolicy.checkView({ group, actor, standing })))) {
              seen.set(row.id, { group, standing })
            }
          }
          return seen
        }),
        check: Effect.fn("GroupAccess.check")(function* (groupId, actor, action) {
          const seen = yield* view(groupId, actor)
          yield* GroupPolicy.check(action, { group: seen.group, actor, standing: seen.standing })
          return seen
        }),
        require: Effect.fn("GroupAccess.require")(function* (groupId, actor, action) {
          const locked = yield* lock(groupId, actor)
          yield* GroupPolicy.check(action, locked.context)
          return locked
        }),
        standing: (groupId, userId) => memberships.standing(groupId, userId),
        memberOf: (userId, limit) => memberships.groupIdsOf(userId, limit),
        describe: (groupId) =>
          Effect.map(
            groups.find(groupId),
            Option.map((row) => views.group(row, null))
          )
      })
    })
  )
}
