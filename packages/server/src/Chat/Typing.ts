import {
  ChannelArchived,
  type ChannelId,
  type ChannelNotFound,
  DirectMessageNotAllowed,
  type MessageId,
  MessageNotFound
} from "@moim/domain/Chat/Chat"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Clock, Context, Effect, Layer, Option } from "effect"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatPolicy } from "./ChatPolicy.ts"
import { ChatSignals } from "./ChatSignals.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

type SignedIn = CurrentUser["Service"]

/** Repeats of the same user in the same channel (and thread) within this are not passed on. */
const repeatMillis = 2_000
/** Past this many remembered senders, the stale ones are forgotten. */
const rememberedLimit = 10_000

/**
 * "Someone is typing": checked like sending (those who may write in the channel; not in a
 * conversation where someone blocked another), then published on the channel's bus for every
 * instance's streams of the channel. Nothing is stored; a client shows it for about 5 s after the
 * last one, and clients send it every few seconds while typing, so this instance passes on at most
 * one per user, channel and thread every 2 s.
 */
export class Typing extends Context.Service<
  Typing,
  {
    readonly send: (
      user: SignedIn,
      channelId: ChannelId,
      threadRootId: MessageId | undefined
    ) => Effect.Effect<void, ChannelNotFound | MessageNotFound | Forbidden | ChannelArchived | DirectMessageNotAllowed>
  }
>()("@moim/server/Chat/Typing") {
  static readonly layer = Layer.effect(
    Typing,
    Effect.gen(function* () {
      const access = yield* ChatAccess
      const channels = yield* ChannelsRepo
      const messages = yield* MessagesRepo
      const blocks = yield* Blocks
      const signals = yield* ChatSignals
      /** `user channel thread` → when it was last passed on. */
      const lastSent = new Map<string, number>()

      /** True when this one is passed on (none for the same key within `repeatMillis`). */
      const admit = (key: string) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const last = lastSent.get(key)
          if (last !== undefined && now - last < repeatMillis) return false
          if (lastSent.size >= rememberedLimit) {
            for (const [remembered, at] of lastSent) if (now - at >= repeatMillis) lastSent.delete(remembered)
          }
          lastSent.set(key, now)
          return true
        })

      return Typing.of({
        send: Effect.fn("Typing.send")(function* (user, channelId, threadRootId) {
          const context = yield* access.find(Actor.of(user), channelId)
          if (context.channel.archivedAt !== null) {
            return yield* new ChannelArchived({ message: "The channel is archived" })
          }
          if (!ChatPolicy.canWrite(context)) {
            return yield* new Forbidden({ message: "Join the channel to write in it" })
          }
          if (context.channel.kind === "direct") {
            const others = (yield* channels.allMembers(channelId)).filter((member) => member !== user.userId)
            if ((yield* blocks.hiddenAmong(user.userId, others)).size > 0) {
              return yield* new DirectMessageNotAllowed({
                message: "Someone in this conversation blocked you, or you them"
              })
            }
          }
          if (threadRootId !== undefined) {
            const root = yield* messages.find(threadRootId)
            if (Option.isNone(root) || root.value.channelId !== channelId || root.value.threadRootId !== null) {
              return yield* new MessageNotFound({ message: "No such message to reply to in this channel" })
            }
          }
          if (!(yield* admit(`${user.userId} ${channelId} ${threadRootId ?? ""}`))) return
          yield* signals.publish({ kind: "typing", channelId, userId: user.userId, threadRootId: threadRootId ?? null })
        })
      })
    })
  )
}
