import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import type { InvalidCursor } from "@moim/domain/Kit/Page"
import { defaultPageSize } from "@moim/domain/Kit/Page"
import type { Connection } from "@moim/domain/Social/Social"
import { SelfRelation } from "@moim/domain/Social/Social"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import type { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { type ConnectionRow, GraphRepo } from "./GraphRepo.ts"
import type { Standing } from "./SocialPolicy.ts"

const notFound = new UserNotFound({ message: "No such user" })

/**
 * What every social operation does with the other person: checks they exist and may be reached, finds
 * where the viewer stands with them, and turns rows of people into pages of profiles, leaving out
 * anyone the viewer blocked or who blocked the viewer.
 */
export class People extends Context.Service<
  People,
  {
    /** The other person, active and neither blocking nor blocked by the user; never the user. */
    readonly target: (userId: UserId, otherId: UserId) => Effect.Effect<void, UserNotFound | SelfRelation>
    /** The owner of a profile as the viewer may see it (`UserNotFound` when blocked either way). */
    readonly visible: (viewer: Actor, ownerId: UserId) => Effect.Effect<Standing, UserNotFound>
    /** A page of a list of people, from a query of rows by time. */
    readonly page: (
      viewer: Actor,
      scope: string,
      query: PageQuery,
      rows: (page: {
        readonly limit: number
        readonly after: TimePosition | null
      }) => Effect.Effect<ReadonlyArray<ConnectionRow>>
    ) => Effect.Effect<Page<typeof Connection.Type>, InvalidCursor>
  }
>()("@moim/server/Social/People") {
  static readonly layer = Layer.effect(
    People,
    Effect.gen(function* () {
      const profiles = yield* Profiles
      const blocks = yield* Blocks
      const graph = yield* GraphRepo
      const cursors = yield* Cursors

      const visible = Effect.fn("People.visible")(function* (viewer: Actor, ownerId: UserId) {
        if (Option.isNone(yield* profiles.findActive(ownerId))) return yield* notFound
        if (viewer === null) return { self: false, signedIn: false, follows: false, friends: false }
        if (viewer.userId === ownerId) return { self: true, signedIn: true, follows: false, friends: false }
        const relation = (yield* graph.relations(viewer.userId, [ownerId])).get(ownerId)
        if (relation === undefined || relation.blocked) return yield* notFound
        return { self: false, signedIn: true, follows: relation.follows, friends: relation.friends }
      })

      return People.of({
        target: Effect.fn("People.target")(function* (userId, otherId) {
          if (userId === otherId) return yield* new SelfRelation({ message: "That is you" })
          const standing = yield* visible({ userId, siteRole: "user" }, otherId)
          if (standing.self) return yield* new SelfRelation({ message: "That is you" })
        }),
        visible,
        page: Effect.fn("People.page")(function* (viewer, scope, query, rows) {
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const found = yield* rows({ limit: limit + 1, after })
          const page = cursors.page(
            scope,
            found,
            limit,
            (row) => row,
            (row) => ({ at: row.since.toISOString(), id: row.userId })
          )
          const ids = page.items.map((row) => row.userId)
          const shown = yield* profiles.getMany(ids)
          const hidden = viewer === null ? new Set<UserId>() : yield* blocks.hiddenAmong(viewer.userId, ids)
          return {
            items: page.items.flatMap((row) => {
              const user = shown.get(row.userId)
              return user === undefined || hidden.has(row.userId)
                ? []
                : [{ user, since: DateTime.fromDateUnsafe(row.since) }]
            }),
            nextCursor: page.nextCursor
          }
        })
      })
    })
  )
}
