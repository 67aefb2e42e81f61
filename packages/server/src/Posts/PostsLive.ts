import { Layer } from "effect"
import { Posts } from "./Posts.ts"
import { PostsRepo } from "./PostsRepo.ts"
import { PostViews } from "./PostViews.ts"

/**
 * The posts feature's services, on the platform, accounts (`Profiles`), groups (`GroupAccess`,
 * `Groups` for the post count) and the `AudienceGraph` port, which `Features.ts` provides.
 */
export const PostsLive = Posts.layer.pipe(Layer.provide(PostViews.layer), Layer.provide(PostsRepo.layer))
