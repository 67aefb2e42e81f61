import { Layer } from "effect"
import { ChatHttpLive, ChatRpc } from "./Handlers.ts"

/** What chat adds to the server: the REST group and the RPC handlers. */
export const ChatFeature = { http: ChatHttpLive, rpc: ChatRpc, routes: Layer.empty, plainRoutes: [] }
