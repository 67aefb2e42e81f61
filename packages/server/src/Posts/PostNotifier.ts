import type { UserId } from "@moim/domain/Accounts/User"
import type { PostNotificationLevel } from "@moim/domain/Groups/Group"
import type { PostEntity } from "@moim/domain/Posts/Post"
import {
  CommentReacted,
  CommentReplied,
  NotifyPostEvent,
  PostCommented,
  PostCreated,
  type PostEvent,
  PostMentioned,
  PostReacted
} from "@moim/domain/Posts/PostNotifications"
import { Context, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Memberships } from "../Groups/Memberships.ts"
import { Notifications } from "../Notifications/Notifications.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { CommentsRepo } from "./CommentsRepo.ts"
import { PostAccess } from "./PostAccess.ts"
import { type PostRow, PostsRepo } from "./PostsRepo.ts"

const excerptLength = 100

/** The start of a text for a notification's sentence: one line, mentions as `@nickname`. */
const excerpt = (text: string, entities: ReadonlyArray<PostEntity>, nicknames: ReadonlyMap<UserId, string>) => {
  let readable = ""
  let from = 0
  for (const entity of [...entities].sort((a, b) => a.start - b.start)) {
    if (entity.type !== "mention") continue
    readable += `${text.slice(from, entity.start)}@${nicknames.get(entity.userId) ?? "someone"}`
    from = entity.end
  }
  const line = `${readable}${text.slice(from)}`.replace(/\s+/g, " ").trim()
  return line.length > excerptLength ? `${line.slice(0, excerptLength - 1)}…` : line
}

const mentioned = (entities: ReadonlyArray<PostEntity>): ReadonlyArray<UserId> => [
  ...new Set(entities.flatMap((entity) => (entity.type === "mention" ? [entity.userId] : [])))
]

/**
 * `const record = yield* PostEvents.make`: records a post event to notify people of, as a
 * `NotifyPostEvent` job on the caller's connection, so inside the transaction of the change.
 */
export const PostEvents = {
  make: Effect.gen(function* () {
    const jobs = yield* JobQueue
    return (event: PostEvent) =>
      jobs.enqueue(NotifyPostEvent, { eventId: SecureRandom.uuidV7Unsafe(), event }).pipe(Effect.asVoid)
  })
}

/**
 * Who hears of a post event, and as which notification (run by the worker for `NotifyPostEvent`),
 * from the post as it is when the job runs. Nobody is told of their own action, nobody hears of one
 * event twice (a reply to you beats a mention, a mention beats a comment on your post), and nobody
 * is told of a post they may not see. In a group, members choose which posts notify them
 * (`all`: every new post; `mentions`; `none`: no new posts and no mentions); replies, comments on
 * your post and reactions reach you whatever the setting, unless you muted the group.
 */
export class PostNotifier extends Context.Service<
  PostNotifier,
  { readonly notify: (eventId: string, event: PostEvent) => Effect.Effect<void> }
>()("@moim/server/Posts/PostNotifier") {
  static readonly layer = Layer.effect(
    PostNotifier,
    Effect.gen(function* () {
      const posts = yield* PostsRepo
      const comments = yield* CommentsRepo
      const postAccess = yield* PostAccess
      const groups = yield* GroupAccess
      const memberships = yield* Memberships
      const notifications = yield* Notifications
      const profiles = yield* Profiles

      /** Excerpts of texts, with the nicknames of everyone they mention looked up at once. */
      const excerpts = Effect.fn("PostNotifier.excerpts")(function* (
        texts: ReadonlyArray<{ readonly text: string; readonly entities: ReadonlyArray<PostEntity> }>
      ) {
        const found = yield* profiles.getMany(texts.flatMap(({ entities }) => mentioned(entities)))
        const nicknames = new Map([...found].map(([id, profile]) => [id, profile.nickname] as const))
        return texts.map(({ text, entities }) => excerpt(text, entities, nicknames))
      })

      /** Those among `userIds` who may see the post (as plain users). */
      const seeing = (post: PostRow, userIds: ReadonlyArray<UserId>) =>
        Effect.filter(
          userIds,
          (userId) =>
            postAccess.see({ userId, siteRole: "user" }, Option.some(post)).pipe(
              Effect.as(true),
              Effect.orElseSucceed(() => false)
            ),
          { concurrency: 8 }
        )

      /** Those among `userIds` the group's posts may notify of mentions (everyone on a profile post). */
      const mentionable = Effect.fn("PostNotifier.mentionable")(function* (
        post: PostRow,
        userIds: ReadonlyArray<UserId>
      ) {
        if (post.groupId === null || userIds.length === 0) return userIds
        const levels: ReadonlyMap<UserId, PostNotificationLevel> = yield* memberships.postNotificationLevels(
          post.groupId,
          userIds
        )
        return userIds.filter((userId) => levels.get(userId) !== "none")
      })

      return PostNotifier.of({
        notify: Effect.fn("PostNotifier.notify")(function* (eventId, event) {
          const found = yield* posts.find(event.postId)
          if (Option.isNone(found)) return
          const post = found.value
          const comment =
            event._tag === "Posted" || event.commentId === null
              ? Option.none()
              : Option.filter(yield* comments.find(event.commentId), (row) => row.deletedAt === null)
          const parent =
            event._tag !== "Commented" || Option.isNone(comment) || comment.value.parentId === null
              ? Option.none()
              : Option.filter(yield* comments.find(comment.value.parentId), (row) => row.deletedAt === null)
          const [postExcerpt = "", commentExcerpt = "", parentExcerpt = ""] = yield* excerpts([
            post.title === null ? { text: post.body, entities: post.entities } : { text: post.title, entities: [] },
            ...Option.toArray(Option.map(comment, (row) => ({ text: row.body, entities: row.entities }))),
            ...Option.toArray(Option.map(parent, (row) => ({ text: row.body, entities: row.entities })))
          ])
          const onPost = { postId: post.id, groupId: post.groupId, excerpt: postExcerpt }
          const common = { eventId, actorId: event.by, subjectId: post.id, groupId: post.groupId }
          const told = new Set<UserId>([event.by])
          const tell = Effect.fn("PostNotifier.tell")(function* (
            candidates: ReadonlyArray<UserId>,
            send: (recipients: ReadonlyArray<UserId>) => Effect.Effect<unknown>
          ) {
            const recipients = yield* seeing(
              post,
              candidates.filter((userId) => !told.has(userId))
            )
            for (const userId of recipients) told.add(userId)
            if (recipients.length > 0) yield* send(recipients)
          })

          switch (event._tag) {
            case "Posted": {
              yield* tell(yield* mentionable(post, mentioned(post.entities)), (recipients) =>
                notifications.deliver({
                  ...common,
                  kind: PostMentioned,
                  data: { ...onPost, commentId: null },
                  recipients
                })
              )
              if (post.groupId === null) return
              const group = yield* groups.describe(post.groupId)
              if (Option.isNone(group)) return
              const groupId = post.groupId
              // Subscribers are members: they see the post, so no check one by one.
              const subscribers = (yield* memberships.postSubscribers(groupId)).filter((userId) => !told.has(userId))
              if (subscribers.length === 0) return
              yield* notifications.deliver({
                ...common,
                kind: PostCreated,
                data: { postId: post.id, groupId, groupName: group.value.name, excerpt: onPost.excerpt },
                recipients: subscribers
              })
              return
            }
            case "Commented": {
              if (Option.isNone(comment)) return
              if (Option.isSome(parent)) {
                yield* tell([parent.value.authorId], (recipients) =>
                  notifications.deliver({
                    ...common,
                    kind: CommentReplied,
                    data: { ...onPost, excerpt: parentExcerpt },
                    recipients
                  })
                )
              }
              yield* tell(yield* mentionable(post, mentioned(comment.value.entities)), (recipients) =>
                notifications.deliver({
                  ...common,
                  kind: PostMentioned,
                  data: { ...onPost, commentId: comment.value.id, excerpt: commentExcerpt },
                  recipients
                })
              )
              yield* tell([post.authorId], (recipients) =>
                notifications.deliver({ ...common, kind: PostCommented, data: onPost, recipients })
              )
              return
            }
            case "Reacted": {
              if (event.commentId === null) {
                yield* tell([post.authorId], (recipients) =>
                  notifications.deliver({ ...common, kind: PostReacted, data: onPost, recipients })
                )
                return
              }
              if (Option.isNone(comment)) return
              yield* tell([comment.value.authorId], (recipients) =>
                notifications.deliver({
                  ...common,
                  kind: CommentReacted,
                  data: { ...onPost, excerpt: commentExcerpt },
                  recipients
                })
              )
              return
            }
          }
        })
      })
    })
  )
}
