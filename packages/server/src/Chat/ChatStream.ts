import type { UserId } from "@moim/domain/Accounts/User"
import type { ChannelId, ChatMessage, MessageId, ReadState } from "@moim/domain/Chat/Chat"
import { ChatMessageEvent, ChatReadEvent, ChatThreadUpdatedEvent } from "@moim/domain/Chat/ChatStreamEvents"
import { Effect, Schema } from "effect"
import { StreamOutbox, userTopic } from "../Realtime/StreamOutbox.ts"

export const channelTopic = (channelId: ChannelId) => `channel:${channelId}`

const encodeMessage = Schema.encodeEffect(Schema.toCodecJson(ChatMessageEvent))
const encodeThread = Schema.encodeEffect(Schema.toCodecJson(ChatThreadUpdatedEvent))
const encodeRead = Schema.encodeEffect(Schema.toCodecJson(ChatReadEvent))

/**
 * `const stream = yield* ChatStream.make`: what chat publishes to the realtime stream, in the
 * caller's transaction, on the channel's topic (`channel:<id>`). Someone removed from a channel gets
 * `access.changed` on their own topic, so their open streams leave the channel's topic at once.
 */
export const ChatStream = {
  make: Effect.gen(function* () {
    const outbox = yield* StreamOutbox
    const message = (type: "chat.message.created" | "chat.message.updated", sent: ChatMessage) =>
      Effect.flatMap(encodeMessage({ message: sent }).pipe(Effect.orDie), (data) =>
        outbox.publish([{ topic: channelTopic(sent.channelId), type, data }])
      )
    return {
      created: (sent: ChatMessage) => message("chat.message.created", sent),
      updated: (sent: ChatMessage) => message("chat.message.updated", sent),
      deleted: (deleted: {
        readonly channelId: ChannelId
        readonly messageId: MessageId
        readonly threadRootId: MessageId | null
      }) => outbox.publish([{ topic: channelTopic(deleted.channelId), type: "chat.message.deleted", data: deleted }]),
      thread: (root: ChatMessage) =>
        Effect.flatMap(
          encodeThread({ channelId: root.channelId, messageId: root.id, thread: root.thread }).pipe(Effect.orDie),
          (data) => outbox.publish([{ topic: channelTopic(root.channelId), type: "chat.thread.updated", data }])
        ),
      channelUpdated: (channelId: ChannelId) =>
        outbox.publish([{ topic: channelTopic(channelId), type: "chat.channel.updated", data: { channelId } }]),
      joined: (channelId: ChannelId, userId: UserId) =>
        outbox.publish([{ topic: channelTopic(channelId), type: "chat.member.joined", data: { channelId, userId } }]),
      left: (channelIds: ReadonlyArray<ChannelId>, userId: UserId) =>
        outbox.publish(
          channelIds.flatMap((channelId) => [
            { topic: userTopic(userId), type: "access.changed", data: { topic: channelTopic(channelId) } },
            { topic: channelTopic(channelId), type: "chat.member.left", data: { channelId, userId } }
          ])
        ),
      read: (userId: UserId, state: ReadState) =>
        Effect.flatMap(encodeRead(state).pipe(Effect.orDie), (data) =>
          outbox.publish([{ topic: userTopic(userId), type: "chat.read", data }])
        )
    }
  })
}
