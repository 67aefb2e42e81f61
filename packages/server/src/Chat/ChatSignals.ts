import { UserId } from "@moim/domain/Accounts/User"
import { type ChannelId, ChannelId as ChannelIdSchema, MessageId } from "@moim/domain/Chat/Chat"
import { PresenceStatus } from "@moim/domain/Chat/Presence"
import type { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { Context, DateTime, Effect, Layer, Schema, type Scope, Stream } from "effect"
import { EventBus } from "../platform/EventBus.ts"

/** What chat says on the bus of one channel: someone typing, or someone's presence changing. */
export const ChatSignal = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("typing"),
    channelId: ChannelIdSchema,
    userId: UserId,
    threadRootId: Schema.NullOr(MessageId)
  }),
  Schema.Struct({
    kind: Schema.Literal("presence"),
    channelId: ChannelIdSchema,
    userId: UserId,
    status: PresenceStatus,
    lastSeenAt: Schema.NullOr(Schema.Number)
  })
])
export type ChatSignal = typeof ChatSignal.Type

/** Chat channels' topics on the stream. */
export const channelPrefix = "channel:"

const toMessage = (signal: ChatSignal): StreamMessage => {
  const topic = `${channelPrefix}${signal.channelId}`
  return signal.kind === "typing"
    ? {
        type: "chat.typing",
        topic,
        cursor: "",
        data: { channelId: signal.channelId, userId: signal.userId, threadRootId: signal.threadRootId }
      }
    : {
        type: "chat.presence",
        topic,
        cursor: "",
        data: {
          channelId: signal.channelId,
          userId: signal.userId,
          status: signal.status,
          lastSeenAt: signal.lastSeenAt === null ? null : DateTime.makeUnsafe(signal.lastSeenAt)
        }
      }
}

/**
 * The bus of chat's ephemeral signals, one bus channel per chat channel (`chat:<id>`): every server
 * instance's streams that joined `channel:<id>` listen on it, so a signal published by any instance
 * reaches them all. Nothing of it is stored.
 */
export class ChatSignals extends Context.Service<
  ChatSignals,
  {
    readonly publish: (signal: ChatSignal) => Effect.Effect<void>
    /** The signals of one channel, as stream messages, from the moment this succeeds until the scope closes. */
    readonly listen: (channelId: ChannelId) => Effect.Effect<Stream.Stream<StreamMessage>, never, Scope.Scope>
  }
>()("@moim/server/Chat/ChatSignals") {
  static readonly layer = Layer.effect(
    ChatSignals,
    Effect.gen(function* () {
      const topic = (yield* EventBus).topic(ChatSignal)
      return ChatSignals.of({
        publish: (signal) =>
          topic
            .publish(`chat:${signal.channelId}`, signal)
            .pipe(Effect.catch((error) => Effect.logWarning("a chat signal was not published", error))),
        listen: (channelId) =>
          Effect.map(topic.subscribe(`chat:${channelId}`), (signals) =>
            signals.pipe(
              Stream.map(toMessage),
              Stream.catchCause((cause) =>
                Stream.fromEffect(Effect.logWarning("chat signals of a channel stopped", cause)).pipe(Stream.drain)
              )
            )
          )
      })
    })
  )
}
