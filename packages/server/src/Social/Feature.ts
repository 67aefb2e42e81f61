import { Layer } from "effect"
import { SocialHttpLive, SocialRpc } from "./Handlers.ts"

/** What the social feature adds to the server: its REST groups and the RPC handlers. */
export const SocialFeature = { http: SocialHttpLive, rpc: SocialRpc, routes: Layer.empty, plainRoutes: [] }
