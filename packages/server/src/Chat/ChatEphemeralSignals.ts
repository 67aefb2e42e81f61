import { ChannelId } from "@moim/domain/Chat/Chat"
import { Effect, Layer, Schema, Stream } from "effect"
import { EphemeralSignals } from "../Realtime/EphemeralSignals.ts"
import { ChatSignals, channelPrefix } from "./ChatSignals.ts"
import { Presence } from "./Presence.ts"

const isChannelId = Schema.is(ChannelId)

/**
 * Chat's answer to the realtime feature's `EphemeralSignals`: a stream that is open marks its user
 * connected (`Presence`), and carries the typing and presence signals of the channels it joined
 * (not the viewer's own typing).
 */
export const ChatEphemeralSignals = Layer.effect(
  EphemeralSignals,
  Effect.gen(function* () {
    const signals = yield* ChatSignals
    const presence = yield* Presence
    return EphemeralSignals.of({
      open: Effect.fn("ChatEphemeralSignals.open")(function* (user, topics) {
        yield* presence.connected(user.userId)
        const channels = topics.flatMap((topic) => {
          const id = topic.startsWith(channelPrefix) ? topic.slice(channelPrefix.length) : ""
          return isChannelId(id) ? [id] : []
        })
        const subscribed = yield* Effect.forEach(channels, (id) => signals.listen(id), { concurrency: "unbounded" })
        return Stream.mergeAll(subscribed, { concurrency: "unbounded" }).pipe(
          Stream.filter((message) => !(message.type === "chat.typing" && message.data.userId === user.userId)),
          Stream.concat(Stream.never)
        )
      })
    })
  })
)
