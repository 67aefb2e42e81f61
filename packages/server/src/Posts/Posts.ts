import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import type { GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { PreconditionFailed } from "@moim/domain/Kit/ConditionalRequests"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type { MediaNotAPhoto, MediaNotAttachable, MediaNotFound } from "@moim/domain/Media/MediaErrors"
import {
  AudienceNotAllowed,
  PinLimitReached,
  type Post,
  type PostAudience,
  PostId,
  PostNotFound,
  PostVersion
} from "@moim/domain/Posts/Post"
import type {
  CreateGroupPostPayload,
  CreateProfilePostPayload,
  PostSort,
  UpdatePostPayload
} from "@moim/domain/Posts/PostsApi"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { requireVersion } from "../Access/Preconditions.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Groups } from "../Groups/Groups.ts"
import { MediaLibrary } from "../Media/MediaLibrary.ts"
import { Cursors, type Page, type PageQuery, PositionField, TimePosition } from "../platform/Cursors.ts"
import { toTsQuery } from "../platform/TextSearch.ts"
import { Transaction } from "../platform/Transaction.ts"
import { AudienceGraph } from "./AudienceGraph.ts"
import { PostAccess } from "./PostAccess.ts"
import { resolveEntities } from "./PostEntities.ts"
import { PostEvents } from "./PostNotifier.ts"
import { type PostContext, PostPolicy } from "./PostPolicy.ts"
import { PostStream } from "./PostStream.ts"
import { type PostRow, PostsRepo } from "./PostsRepo.ts"
import { PostViews } from "./PostViews.ts"

type SignedIn = CurrentUser["Service"]
type Viewer = Option.Option<SignedIn>

const ScorePosition = Schema.Struct({ score: PositionField.number, id: PositionField.id })

const notFound = new PostNotFound({ message: "No such post" })
const decodePostId = Schema.decodeUnknownOption(PostId)
const viewerActor = (viewer: Viewer): Actor => Option.match(viewer, { onNone: () => null, onSome: Actor.of })

/**
 * Posts in groups and on profiles: writing, editing (with versions), deleting, pinning, locking
 * comments, and the lists and search. Who may see and do what is `PostPolicy`'s, from the viewer's
 * standing in the post's group (`GroupAccess`) or relation to its author (`AudienceGraph`). A post
 * someone may not see is `PostNotFound` to them everywhere, and left out of every list.
 */
export class Posts extends Context.Service<
  Posts,
  {
    readonly createInGroup: (
      user: SignedIn,
      groupId: GroupId,
      input: typeof CreateGroupPostPayload.Type
    ) => Effect.Effect<Post, GroupNotFound | Forbidden | MediaNotFound | MediaNotAttachable | MediaNotAPhoto>
    readonly createOnProfile: (
      user: SignedIn,
      input: typeof CreateProfilePostPayload.Type
    ) => Effect.Effect<Post, AudienceNotAllowed | MediaNotFound | MediaNotAttachable | MediaNotAPhoto>
    readonly get: (viewer: Viewer, id: PostId) => Effect.Effect<Post, PostNotFound>
    readonly update: (
      user: SignedIn,
      id: PostId,
      input: typeof UpdatePostPayload.Type,
      /** The edit version the caller saw; a different current one fails with `PreconditionFailed`. */
      expectedVersion?: number
    ) => Effect.Effect<
      Post,
      | PostNotFound
      | Forbidden
      | AudienceNotAllowed
      | MediaNotFound
      | MediaNotAttachable
      | MediaNotAPhoto
      | PreconditionFailed
    >
    readonly versions: (
      user: SignedIn,
      id: PostId
    ) => Effect.Effect<ReadonlyArray<PostVersion>, PostNotFound | Forbidden>
    readonly remove: (user: SignedIn, id: PostId) => Effect.Effect<void, PostNotFound | Forbidden>
    readonly pin: (user: SignedIn, id: PostId) => Effect.Effect<Post, PostNotFound | Forbidden | PinLimitReached>
    readonly unpin: (user: SignedIn, id: PostId) => Effect.Effect<Post, PostNotFound | Forbidden>
    readonly setCommentsLocked: (
      user: SignedIn,
      id: PostId,
      locked: boolean
    ) => Effect.Effect<Post, PostNotFound | Forbidden>
    readonly listInGroup: (
      viewer: Viewer,
      groupId: GroupId,
      query: PageQuery & { readonly sort?: typeof PostSort.Type | undefined }
    ) => Effect.Effect<Page<Post>, GroupNotFound | InvalidCursor>
    readonly listByAuthor: (
      viewer: Viewer,
      authorId: UserId,
      query: PageQuery
    ) => Effect.Effect<Page<Post>, UserNotFound | InvalidCursor>
    readonly search: (
      viewer: Viewer,
      query: PageQuery & {
        readonly q: string
        readonly groupId?: GroupId | undefined
        readonly authorId?: UserId | undefined
      }
    ) => Effect.Effect<Page<Post>, InvalidCursor>
    /** For a report: the post's group, author and words, if the actor may see it. */
    readonly describe: (
      actor: Actor,
      id: PostId
    ) => Effect.Effect<
      { readonly groupId: GroupId | null; readonly authorId: UserId; readonly text: string },
      PostNotFound
    >
    /** Hides the post pending review of its reports (its author and reviewers still see it), or shows it again. */
    readonly setHidden: (id: PostId, hidden: boolean) => Effect.Effect<void>
    /**
     * A page of the viewer's home feed, as ids and times, from the sources the social graph names:
     * people they follow or befriended (`friend`) and their groups.
     */
    readonly feed: (
      user: SignedIn,
      sources: {
        readonly authors: ReadonlyArray<{ readonly id: UserId; readonly friend: boolean }>
        readonly groupIds: ReadonlyArray<GroupId>
      },
      page: { readonly limit: number; readonly after: TimePosition | null }
    ) => Effect.Effect<ReadonlyArray<{ readonly id: PostId; readonly createdAt: Date }>>
    /** The posts of `ids` the viewer may see now, in the order given, shown. */
    readonly show: (viewer: Actor, ids: ReadonlyArray<PostId>) => Effect.Effect<ReadonlyArray<Post>>
    /** When the author last posted, if they have (a cached home feed older than that is stale). */
    readonly latestBy: (authorId: UserId) => Effect.Effect<Option.Option<Date>>
    /** How many of the author's profile posts the viewer may see. */
    readonly countOnProfile: (
      viewer: Actor,
      authorId: UserId,
      relation: { readonly follows: boolean; readonly friends: boolean }
    ) => Effect.Effect<number>
    /** The posts among `ids` the viewer may see (for bookmarks, notifications, the stream). */
    readonly visible: (viewer: Actor, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
  }
>()("@moim/server/Posts/Posts") {
  static readonly layer = Layer.effect(
    Posts,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* PostsRepo
      const access = yield* GroupAccess
      const groups = yield* Groups
      const profiles = yield* Profiles
      const graph = yield* AudienceGraph
      const blocks = yield* Blocks
      const postAccess = yield* PostAccess
      const media = yield* MediaLibrary
      const views = yield* PostViews
      const cursors = yield* Cursors
      const record = yield* PostEvents.make
      const stream = yield* PostStream.make

      /** The rows the actor may see, shown. */
      const shown = Effect.fn("Posts.shown")(function* (actor: Actor, rows: ReadonlyArray<PostRow>) {
        const seen = (yield* postAccess.contexts(actor, rows)).filter(PostPolicy.canSee)
        return yield* views.posts(seen)
      })

      const showOne = (context: PostContext) =>
        Effect.flatMap(views.posts([context]), ([post]) =>
          post === undefined ? Effect.die(new Error("A post just read was not shown")) : Effect.succeed(post)
        )

      const entitiesOf = resolveEntities(profiles)

      /** The audience and who `specific` names, checked: those named must be the author's friends. */
      const audienceOf = Effect.fn("Posts.audienceOf")(function* (
        author: UserId,
        requested: PostAudience | undefined,
        userIds: ReadonlyArray<UserId> | undefined
      ) {
        const audience = requested ?? (yield* graph.defaultAudience(author))
        if (audience !== "specific") {
          if (userIds !== undefined && userIds.length > 0) {
            return yield* new AudienceNotAllowed({ message: "Only a `specific` audience names people" })
          }
          return { audience, audienceUserIds: [] }
        }
        const named = [...new Set(userIds ?? [])]
        const relations = yield* graph.relations(author, named)
        if (named.length === 0 || named.some((id) => relations.get(id)?.friends !== true)) {
          return yield* new AudienceNotAllowed({ message: "A `specific` audience names one or more of your friends" })
        }
        return { audience, audienceUserIds: named }
      })

      const positionOf = (sort: "newest" | "active") => (row: PostRow) => ({
        at: (sort === "active" ? row.activityAt : row.createdAt).toISOString(),
        id: row.id
      })

      const pinning = Effect.fn("Posts.pinning")(function* (user: SignedIn, id: PostId, pinned: boolean) {
        const actor = Actor.of(user)
        const context = yield* transaction(
          Effect.gen(function* () {
            const current = yield* postAccess.see(actor, yield* repo.lock(id))
            const groupId = current.post.groupId
            if (groupId === null || !PostPolicy.canPin(current)) {
              return yield* new Forbidden({ message: "Only a group's owner and admins pin its posts" })
            }
            // Pins of one group serialise on its row, so the limit holds however many pin at once.
            yield* access.require(groupId, actor, "moderate").pipe(Effect.catchTag("GroupNotFound", () => notFound))
            const post = current.post
            if (pinned && post.pinnedAt === null && (yield* repo.pinnedCount(groupId)) >= 3) {
              return yield* new PinLimitReached({ message: "This group already has 3 pinned posts" })
            }
            return { ...current, post: yield* repo.setPinned(id, pinned) }
          })
        )
        return yield* showOne(context)
      })

      return Posts.of({
        createInGroup: Effect.fn("Posts.createInGroup")(function* (user, groupId, input) {
          const actor = Actor.of(user)
          const entities = yield* entitiesOf([input.body])
          const row = yield* transaction(
            Effect.gen(function* () {
              yield* access.check(groupId, actor, "participate")
              const id = PostId.make(SecureRandom.uuidV7Unsafe())
              const attachmentIds = [...new Set(input.attachmentIds ?? [])]
              yield* media.claimPhotos(user.userId, { kind: "post", id }, attachmentIds)
              const inserted = yield* repo.insert({
                id,
                authorId: user.userId,
                groupId,
                audience: null,
                audienceUserIds: [],
                title: input.title ?? null,
                body: input.body,
                entities: entities(input.body),
                attachmentIds
              })
              yield* groups.countPosts(groupId, 1)
              yield* record({ _tag: "Posted", postId: id, by: user.userId })
              yield* stream.posted(groupId, id)
              return inserted
            })
          )
          const [context] = yield* postAccess.contexts(actor, [row])
          if (context === undefined) return yield* Effect.die(new Error("No context for a new post"))
          return yield* showOne(context)
        }),

        createOnProfile: Effect.fn("Posts.createOnProfile")(function* (user, input) {
          const audience = yield* audienceOf(user.userId, input.audience, input.audienceUserIds)
          const entities = yield* entitiesOf([input.body])
          const row = yield* transaction(
            Effect.gen(function* () {
              const id = PostId.make(SecureRandom.uuidV7Unsafe())
              const attachmentIds = [...new Set(input.attachmentIds ?? [])]
              yield* media.claimPhotos(user.userId, { kind: "post", id }, attachmentIds)
              const inserted = yield* repo.insert({
                id,
                authorId: user.userId,
                groupId: null,
                ...audience,
                title: input.title ?? null,
                body: input.body,
                entities: entities(input.body),
                attachmentIds
              })
              // On a profile only those mentioned hear of it (followers read their feed).
              if (inserted.entities.some((entity) => entity.type === "mention")) {
                yield* record({ _tag: "Posted", postId: id, by: user.userId })
              }
              return inserted
            })
          )
          const [context] = yield* postAccess.contexts(Actor.of(user), [row])
          if (context === undefined) return yield* Effect.die(new Error("No context for a new post"))
          return yield* showOne(context)
        }),

        get: Effect.fn("Posts.get")(function* (viewer, id) {
          return yield* showOne(yield* postAccess.see(viewerActor(viewer), yield* repo.find(id)))
        }),

        update: Effect.fn("Posts.update")(function* (user, id, input, expectedVersion) {
          const actor = Actor.of(user)
          const entities = yield* entitiesOf(input.body === undefined ? [] : [input.body])
          const context = yield* transaction(
            Effect.gen(function* () {
              const current = yield* postAccess.see(actor, yield* repo.lock(id))
              if (!PostPolicy.canEdit(current)) return yield* new Forbidden({ message: "Only its author edits a post" })
              const post = current.post
              yield* requireVersion(expectedVersion, post.version)
              if (post.groupId !== null && (input.audience !== undefined || input.audienceUserIds !== undefined)) {
                return yield* new AudienceNotAllowed({ message: "A post in a group has the group's audience" })
              }
              const audience =
                post.groupId !== null
                  ? { audience: null, audienceUserIds: [] }
                  : input.audience === undefined && input.audienceUserIds === undefined
                    ? { audience: post.audience, audienceUserIds: post.audienceUserIds }
                    : yield* audienceOf(
                        post.authorId,
                        input.audience ?? post.audience ?? undefined,
                        input.audienceUserIds
                      )
              const title = input.title === undefined ? post.title : input.title
              const body = input.body ?? post.body
              const attachmentIds =
                input.attachmentIds === undefined ? post.attachmentIds : [...new Set(input.attachmentIds)]
              if (input.attachmentIds !== undefined) {
                yield* media.release({ kind: "post", id }, attachmentIds)
                yield* media.claimPhotos(user.userId, { kind: "post", id }, attachmentIds)
              }
              const updated = yield* repo.update(id, {
                title,
                body,
                entities: input.body === undefined ? post.entities : entities(body),
                attachmentIds,
                ...audience,
                edited: title !== post.title || body !== post.body
              })
              return { ...current, post: updated }
            })
          )
          return yield* showOne(context)
        }),

        versions: Effect.fn("Posts.versions")(function* (user, id) {
          const context = yield* postAccess.see(Actor.of(user), yield* repo.find(id))
          if (!PostPolicy.canEdit(context) && !PostPolicy.canDelete(context)) {
            return yield* new Forbidden({ message: "Only its author and moderators see a post's earlier versions" })
          }
          const rows = yield* repo.versions(id)
          return rows.map(
            (row) =>
              new PostVersion({ title: row.title, body: row.body, createdAt: DateTime.fromDateUnsafe(row.createdAt) })
          )
        }),

        remove: Effect.fn("Posts.remove")(function* (user, id) {
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* postAccess.see(Actor.of(user), yield* repo.lock(id))
              if (!PostPolicy.canDelete(context)) {
                return yield* new Forbidden({ message: "Only its author and the group's moderators delete a post" })
              }
              yield* repo.softDelete(id)
              yield* media.release({ kind: "post", id })
              if (context.post.groupId !== null) yield* groups.countPosts(context.post.groupId, -1)
            })
          )
        }),

        pin: (user, id) => pinning(user, id, true),
        unpin: (user, id) =>
          pinning(user, id, false).pipe(Effect.catchTag("PinLimitReached", (error) => Effect.die(error))),

        setCommentsLocked: Effect.fn("Posts.setCommentsLocked")(function* (user, id, locked) {
          const context = yield* transaction(
            Effect.gen(function* () {
              const current = yield* postAccess.see(Actor.of(user), yield* repo.lock(id))
              if (!PostPolicy.canLockComments(current)) {
                return yield* new Forbidden({ message: "Only its author and the group's moderators lock comments" })
              }
              return { ...current, post: yield* repo.setCommentsLocked(id, locked) }
            })
          )
          return yield* showOne(context)
        }),

        listInGroup: Effect.fn("Posts.listInGroup")(function* (viewer, groupId, query) {
          const actor = viewerActor(viewer)
          yield* access.view(groupId, actor)
          const sort = query.sort ?? "newest"
          const scope = `group-posts:${groupId}:${sort}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.listInGroup({ groupId, sort, limit: limit + 1, after })
          const page = cursors.page(scope, rows, limit, (row) => row, positionOf(sort))
          const pinned = after === null ? yield* repo.pinned(groupId) : []
          return { items: yield* shown(actor, [...pinned, ...page.items]), nextCursor: page.nextCursor }
        }),

        listByAuthor: Effect.fn("Posts.listByAuthor")(function* (viewer, authorId, query) {
          if (Option.isNone(yield* profiles.findActive(authorId))) {
            return yield* new UserNotFound({ message: "No such user" })
          }
          const actor = viewerActor(viewer)
          if (actor !== null && (yield* blocks.between(actor.userId, authorId))) {
            return yield* new UserNotFound({ message: "No such user" })
          }
          const scope = `user-posts:${authorId}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.listByAuthor({ authorId, viewerId: actor?.userId ?? null, limit: limit + 1, after })
          const page = cursors.page(scope, rows, limit, (row) => row, positionOf("newest"))
          return { items: yield* shown(actor, page.items), nextCursor: page.nextCursor }
        }),

        search: Effect.fn("Posts.search")(function* (viewer, query) {
          const tsQuery = toTsQuery(query.q)
          if (tsQuery === null) return { items: [], nextCursor: null }
          const actor = viewerActor(viewer)
          const scope = `post-search:${tsQuery}:${query.groupId ?? ""}:${query.authorId ?? ""}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(ScorePosition, scope, query.cursor)
          const rows = yield* repo.search({
            tsQuery,
            groupId: query.groupId,
            authorId: query.authorId,
            limit: limit + 1,
            after
          })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ score: String(row.rank), id: row.id })
          )
          return { items: yield* shown(actor, page.items), nextCursor: page.nextCursor }
        }),

        describe: Effect.fn("Posts.describe")(function* (actor, id) {
          const { post } = yield* postAccess.see(actor, yield* repo.find(id))
          return {
            groupId: post.groupId,
            authorId: post.authorId,
            text: post.title === null ? post.body : `${post.title}\n${post.body}`
          }
        }),

        setHidden: (id, hidden) => repo.setHidden(id, hidden),

        feed: (user, sources, page) =>
          repo.feed({
            viewerId: user.userId,
            authors: sources.authors,
            groupIds: sources.groupIds,
            limit: page.limit,
            after: page.after
          }),

        show: Effect.fn("Posts.show")(function* (actor, ids) {
          const found = new Map((yield* repo.findMany(ids)).map((row) => [row.id, row] as const))
          const ordered = ids.flatMap((id) => {
            const row = found.get(id)
            return row === undefined ? [] : [row]
          })
          return yield* shown(actor, ordered)
        }),

        latestBy: (authorId) => repo.latestBy(authorId),

        countOnProfile: (actor, authorId, relation) =>
          repo.countOnProfile({ authorId, viewerId: actor?.userId ?? null, ...relation }),

        visible: Effect.fn("Posts.visible")(function* (actor, ids) {
          const postIds = ids.flatMap((id) => Option.toArray(decodePostId(id)))
          const rows = yield* repo.findMany(postIds)
          const seen = (yield* postAccess.contexts(actor, rows)).filter(PostPolicy.canSee)
          return new Set<string>(seen.map((context) => context.post.id))
        })
      })
    })
  )
}
