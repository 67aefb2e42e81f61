import type { UserId } from "@moim/domain/Accounts/User"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import {
  type CommentId,
  type CommentNotFound,
  type Emoji,
  type PostId,
  type PostNotFound,
  Reaction,
  type ReactionSummary
} from "@moim/domain/Posts/Post"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { ActivityLog } from "../Access/ActivityLog.ts"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { Comments } from "./Comments.ts"
import { PostAccess } from "./PostAccess.ts"
import { PostEvents } from "./PostNotifier.ts"
import type { PostContext } from "./PostPolicy.ts"
import { PostsRepo } from "./PostsRepo.ts"
import { type ReactionSubjectKind, ReactionsRepo } from "./ReactionsRepo.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = Option.Option<SignedIn>
type WhoQuery = PageQuery & { readonly emoji?: Emoji | undefined }

const viewerActor = (viewer: Viewer): Actor => Option.match(viewer, { onNone: () => null, onSome: Actor.of })
const none: ReactionSummary = { counts: { like: 0, love: 0, laugh: 0, wow: 0, sad: 0, angry: 0 }, mine: null }

/**
 * Emoji reactions to posts and comments: one per person per item, replaced by reacting again. Whoever
 * may take part in the post reacts to it and its comments; whoever sees it sees who reacted. Each
 * change answers the item's new summary (counts per emoji and your own).
 */
export class Reactions extends Context.Service<
  Reactions,
  {
    readonly reactToPost: (
      user: SignedIn,
      id: PostId,
      emoji: Emoji
    ) => Effect.Effect<ReactionSummary, PostNotFound | Forbidden>
    readonly unreactToPost: (user: SignedIn, id: PostId) => Effect.Effect<ReactionSummary, PostNotFound>
    readonly listForPost: (
      viewer: Viewer,
      id: PostId,
      query: WhoQuery
    ) => Effect.Effect<Page<Reaction>, PostNotFound | InvalidCursor>
    readonly reactToComment: (
      user: SignedIn,
      id: CommentId,
      emoji: Emoji
    ) => Effect.Effect<ReactionSummary, CommentNotFound | Forbidden>
    readonly unreactToComment: (user: SignedIn, id: CommentId) => Effect.Effect<ReactionSummary, CommentNotFound>
    readonly listForComment: (
      viewer: Viewer,
      id: CommentId,
      query: WhoQuery
    ) => Effect.Effect<Page<Reaction>, CommentNotFound | InvalidCursor>
  }
>()("@moim/server/Posts/Reactions") {
  static readonly layer = Layer.effect(
    Reactions,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const activity = yield* ActivityLog
      const repo = yield* ReactionsRepo
      const posts = yield* PostsRepo
      const comments = yield* Comments
      const postAccess = yield* PostAccess
      const blocks = yield* Blocks
      const profiles = yield* Profiles
      const cursors = yield* Cursors

      const summary = (kind: ReactionSubjectKind, id: string, user: SignedIn) =>
        Effect.map(repo.summaries(kind, [id], user.userId), (summaries) => summaries.get(id) ?? none)

      const record = yield* PostEvents.make

      /** Sets or takes back the reaction; a first reaction to a post or comment is news to its author. */
      const change = (
        context: PostContext,
        commentId: CommentId | null,
        user: SignedIn,
        emoji: Emoji | null
      ): Effect.Effect<ReactionSummary> => {
        const postId = context.post.id
        const kind: ReactionSubjectKind = commentId === null ? "post" : "comment"
        const id = commentId ?? postId
        return transaction(
          emoji === null
            ? Effect.as(repo.unreact(kind, id, user.userId), false)
            : Effect.tap(repo.react(kind, id, user.userId, emoji), (added) =>
                added ? record({ _tag: "Reacted", postId, commentId, by: user.userId }) : Effect.void
              )
        ).pipe(
          Effect.tap((reacted) =>
            reacted
              ? activity.record({ kind: "reaction", userId: user.userId, subjectId: id, groupId: context.post.groupId })
              : Effect.void
          ),
          Effect.andThen(summary(kind, id, user))
        )
      }

      const who = Effect.fn("Reactions.who")(function* (
        viewer: Actor,
        kind: ReactionSubjectKind,
        id: string,
        query: WhoQuery
      ) {
        const scope = `reactions:${kind}:${id}:${query.emoji ?? ""}`
        const limit = query.limit ?? defaultPageSize
        const after = yield* cursors.decode(TimePosition, scope, query.cursor)
        const rows = yield* repo.list({ kind, subjectId: id, emoji: query.emoji, limit: limit + 1, after })
        const page = cursors.page(
          scope,
          rows,
          limit,
          (row) => row,
          (row) => ({ at: row.createdAt.toISOString(), id: row.userId })
        )
        const ids = page.items.map((row) => row.userId)
        const people = yield* profiles.getMany(ids)
        // Someone either blocked is left out (the page may then hold fewer than `limit`).
        const hidden = viewer === null ? new Set<UserId>() : yield* blocks.hiddenAmong(viewer.userId, ids)
        return {
          items: page.items.flatMap((row) => {
            const user = people.get(row.userId)
            return user === undefined || hidden.has(row.userId)
              ? []
              : [new Reaction({ user, emoji: row.emoji, createdAt: DateTime.fromDateUnsafe(row.createdAt) })]
          }),
          nextCursor: page.nextCursor
        }
      })

      return Reactions.of({
        reactToPost: Effect.fn("Reactions.reactToPost")(function* (user, id, emoji) {
          const context = yield* postAccess.see(Actor.of(user), yield* posts.find(id))
          yield* postAccess.participate(context)
          return yield* change(context, null, user, emoji)
        }),
        unreactToPost: Effect.fn("Reactions.unreactToPost")(function* (user, id) {
          const context = yield* postAccess.see(Actor.of(user), yield* posts.find(id))
          return yield* change(context, null, user, null)
        }),
        listForPost: Effect.fn("Reactions.listForPost")(function* (viewer, id, query) {
          const actor = viewerActor(viewer)
          yield* postAccess.see(actor, yield* posts.find(id))
          return yield* who(actor, "post", id, query)
        }),
        reactToComment: Effect.fn("Reactions.reactToComment")(function* (user, id, emoji) {
          const { context } = yield* comments.see(Actor.of(user), id)
          yield* postAccess.participate(context)
          return yield* change(context, id, user, emoji)
        }),
        unreactToComment: Effect.fn("Reactions.unreactToComment")(function* (user, id) {
          const { context } = yield* comments.see(Actor.of(user), id)
          return yield* change(context, id, user, null)
        }),
        listForComment: Effect.fn("Reactions.listForComment")(function* (viewer, id, query) {
          const actor = viewerActor(viewer)
          yield* comments.see(actor, id)
          return yield* who(actor, "comment", id, query)
        })
      })
    })
  )
}
