import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import { PostNotFound } from "@moim/domain/Posts/Post"
import { Context, Effect, Exit, Layer, type Option } from "effect"
import type { Actor } from "../Access/Actor.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { GroupPolicy } from "../Groups/GroupPolicy.ts"
import { AudienceGraph, type Relation } from "./AudienceGraph.ts"
import { type GroupStanding, type PostContext, PostPolicy } from "./PostPolicy.ts"
import type { PostRow } from "./PostsRepo.ts"

const notFound = new PostNotFound({ message: "No such post" })

const stranger: Relation = { follows: false, friends: false, blocked: false }

/**
 * Where an actor stands with posts (their group, or their author), for everything that lives on a
 * post: the post itself, its comments, reactions and bookmarks. A post the actor may not see is
 * `PostNotFound` to them, exactly as one that does not exist.
 */
export class PostAccess extends Context.Service<
  PostAccess,
  {
    /** The context of each post (one group lookup per group, one relation lookup for all authors). */
    readonly contexts: (actor: Actor, rows: ReadonlyArray<PostRow>) => Effect.Effect<ReadonlyArray<PostContext>>
    /** The post's context, if the actor may see it. */
    readonly see: (actor: Actor, row: Option.Option<PostRow>) => Effect.Effect<PostContext, PostNotFound>
    /**
     * May the actor take part (comment, react)? Anyone signed in who sees a profile post; in a group,
     * its members.
     */
    readonly participate: (context: PostContext) => Effect.Effect<void, Forbidden>
  }
>()("@moim/server/Posts/PostAccess") {
  static readonly layer = Layer.effect(
    PostAccess,
    Effect.gen(function* () {
      const access = yield* GroupAccess
      const graph = yield* AudienceGraph

      const contexts = Effect.fn("PostAccess.contexts")(function* (actor: Actor, rows: ReadonlyArray<PostRow>) {
        const groupIds = [...new Set(rows.flatMap((row) => (row.groupId === null ? [] : [row.groupId])))]
        const hidden: GroupStanding = { visible: false, moderator: false, member: false }
        // Every author's relation, in groups too: a block hides a person's posts everywhere.
        const authors = [...new Set(rows.map((row) => row.authorId))].filter((id) => id !== actor?.userId)
        const [seen, relations] = yield* Effect.all(
          [
            access.viewMany(groupIds, actor),
            actor === null || authors.length === 0
              ? Effect.succeed(new Map<string, Relation>())
              : graph.relations(actor.userId, authors)
          ],
          { concurrency: 2 }
        )
        const standings = new Map<string, GroupStanding>(
          [...seen].map(([groupId, { group, standing }]): readonly [string, GroupStanding] => [
            groupId,
            {
              visible: true,
              moderator:
                actor !== null &&
                Exit.isSuccess(Effect.runSyncExit(GroupPolicy.check("moderate", { group, actor, standing }))),
              member: standing.role !== null
            }
          ])
        )
        return rows.map(
          (row): PostContext => ({
            post: row,
            actor,
            group: row.groupId === null ? null : (standings.get(row.groupId) ?? hidden),
            relation: relations.get(row.authorId) ?? stranger
          })
        )
      })

      return PostAccess.of({
        contexts,
        see: Effect.fn("PostAccess.see")(function* (actor, row) {
          if (row._tag === "None") return yield* notFound
          const [context] = yield* contexts(actor, [row.value])
          if (context === undefined || !PostPolicy.canSee(context)) return yield* notFound
          return context
        }),
        participate: (context) =>
          PostPolicy.canParticipate(context)
            ? Effect.void
            : Effect.fail(new Forbidden({ message: "Only the group's members take part in its posts" }))
      })
    })
  )
}
