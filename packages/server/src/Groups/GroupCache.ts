import { Group, type GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Schema } from "effect"
import { Cache, type CacheNamespace } from "../platform/Cache.ts"

const GroupPageCache = Schema.Struct({ items: Schema.Array(Group), nextCursor: Schema.NullOr(Schema.String) })

/**
 * Group details for about a minute, list pages for about five. Every write that changes what a cached
 * group or page shows calls `invalidate` before it returns, so a read after a write is never stale.
 */
export class GroupCache extends Context.Service<
  GroupCache,
  {
    readonly details: CacheNamespace<Group>
    readonly lists: CacheNamespace<typeof GroupPageCache.Type>
    /** Drops the group's details and every list page. */
    readonly invalidate: (groupId: GroupId) => Effect.Effect<void>
  }
>()("@moim/server/Groups/GroupCache") {
  static readonly layer = Layer.effect(
    GroupCache,
    Effect.gen(function* () {
      const cache = yield* Cache
      // The version in the names changes with the shape of `Group` (v2: `eventCreation`, v3: `version`), so a process
      // never reads, or serves, what an earlier release cached.
      const details = cache.namespace({ name: "groups:v3:detail", schema: Group, ttl: "1 minute" })
      const lists = cache.namespace({ name: "groups:v3:list", schema: GroupPageCache, ttl: "5 minutes" })
      return GroupCache.of({
        details,
        lists,
        invalidate: (groupId) => Effect.andThen(details.invalidate(groupId), lists.invalidateAll)
      })
    })
  )
}
