import { Layer } from "effect"
import { Realtime } from "./Realtime.ts"
import { StreamHub } from "./StreamHub.ts"
import { StreamRepo } from "./StreamRepo.ts"
import { StreamTickets } from "./StreamTickets.ts"

/**
 * The realtime feature's services for a server process: the hub (one per process, listening for
 * new events), streams for connections, and tickets. Needs `Notifications`, `Sessions` and the
 * `TopicAccess` port, which `Features.ts` builds from the features' topic resolvers.
 */
export const RealtimeLive = Layer.mergeAll(Realtime.layer, StreamTickets.layer).pipe(
  Layer.provide(StreamHub.layer),
  Layer.provide(StreamRepo.layer)
)
