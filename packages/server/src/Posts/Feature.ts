import { Layer } from "effect"
import { PostsHttpLive, PostsRpc } from "./Handlers.ts"

/** What posts add to the server: the REST group and the RPC handlers. */
export const PostsFeature = { http: PostsHttpLive, rpc: PostsRpc, routes: Layer.empty, plainRoutes: [] }
