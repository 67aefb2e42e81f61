import { Layer } from "effect"
import { SystemHttp, SystemRpc } from "./Handlers.ts"

/** What the system feature adds to the server: the server's metadata and the heartbeat stream. */
export const SystemFeature = { http: SystemHttp, rpc: SystemRpc, routes: Layer.empty, plainRoutes: [] }
