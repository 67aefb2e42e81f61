import { Layer } from "effect"
import { ChatEphemeralSignals } from "./ChatEphemeralSignals.ts"
import { ChatSignals } from "./ChatSignals.ts"
import { Presence } from "./Presence.ts"
import { Typing } from "./Typing.ts"

/**
 * Chat's ephemeral side, for server processes only (it keeps the presence of their streams' users):
 * typing, presence and chat's answer to the realtime feature's `EphemeralSignals`, on the `EventBus`
 * and the `PresenceStore`.
 */
export const ChatPresenceLive = Layer.mergeAll(ChatEphemeralSignals, Typing.layer).pipe(
  Layer.provideMerge(Presence.layer),
  Layer.provideMerge(ChatSignals.layer)
)
