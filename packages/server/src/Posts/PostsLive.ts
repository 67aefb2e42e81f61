import { Layer } from "effect"
import { Bookmarks } from "./Bookmarks.ts"
import { BookmarksRepo } from "./BookmarksRepo.ts"
import { Comments } from "./Comments.ts"
import { CommentsRepo } from "./CommentsRepo.ts"
import { PostAccess } from "./PostAccess.ts"
import { PostNotifier } from "./PostNotifier.ts"
import { Posts } from "./Posts.ts"
import { PostsRepo } from "./PostsRepo.ts"
import { PostViews } from "./PostViews.ts"
import { Reactions } from "./Reactions.ts"
import { ReactionsRepo } from "./ReactionsRepo.ts"

const Repos = Layer.mergeAll(PostsRepo.layer, CommentsRepo.layer, ReactionsRepo.layer, BookmarksRepo.layer)
const Shared = Layer.mergeAll(PostAccess.layer, PostViews.layer).pipe(Layer.provideMerge(Repos))
const CommentsLive = Comments.layer.pipe(Layer.provide(Shared))

/**
 * The posts feature's services (posts, comments, reactions, bookmarks), on the platform, accounts
 * (`Profiles`), media (`MediaLibrary`), groups (`GroupAccess`, `Groups` for the post count) and the
 * `AudienceGraph` port, which `Features.ts` provides.
 */
export const PostsLive = Layer.mergeAll(Posts.layer, Reactions.layer, Bookmarks.layer).pipe(
  Layer.provideMerge(CommentsLive),
  Layer.provide(Shared)
)

/** Who hears of post events (for the worker), on the notifications feature's `Notifications`. */
export const PostNotifierLive = PostNotifier.layer.pipe(Layer.provide(Shared))
