import { type ChannelId, MessageHistory } from "@moim/domain/Chat/Chat"
import { Context, Effect, Layer } from "effect"
import { Cache, type CacheNamespace } from "../platform/Cache.ts"

/**
 * The newest page of each channel (`GET /channels/{id}/messages` without `before`, `after` or
 * `around`, at the default size), for about a minute: the same for everyone who may read the
 * channel, since messages carry nothing of their viewer. Every change to a channel's messages
 * (send, reply, edit, delete, reaction, pin, attachments) calls `invalidate` after its transaction
 * commits and before it answers, so a read after a write is never stale; what changes elsewhere (an
 * author's nickname, a photo done processing) shows within the minute.
 */
export class ChatHistoryCache extends Context.Service<
  ChatHistoryCache,
  {
    readonly newest: CacheNamespace<MessageHistory>
    readonly invalidate: (channelId: ChannelId) => Effect.Effect<void>
  }
>()("@moim/server/Chat/ChatHistoryCache") {
  static readonly layer = Layer.effect(
    ChatHistoryCache,
    Effect.gen(function* () {
      const cache = yield* Cache
      // The version in the name changes with the shape of `ChatMessage`, so a process never reads,
      // or serves, what an earlier release cached.
      const newest = cache.namespace({ name: "chat:v2:newest", schema: MessageHistory, ttl: "1 minute" })
      return ChatHistoryCache.of({ newest, invalidate: (channelId) => newest.invalidate(channelId) })
    })
  )
}
