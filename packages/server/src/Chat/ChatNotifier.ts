import type { UserId } from "@moim/domain/Accounts/User"
import type { ChannelNotifyLevel, MessageEntity, MessageId } from "@moim/domain/Chat/Chat"
import {
  ChatChannelMessage,
  ChatDirectMessage,
  ChatMention,
  ChatThreadReply
} from "@moim/domain/Chat/ChatNotifications"
import { Context, Effect, Layer, Option } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { Notifications } from "../Notifications/Notifications.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatPolicy } from "./ChatPolicy.ts"
import { MessageExtrasRepo } from "./MessageExtrasRepo.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

const excerptLength = 100

/** The start of a message for a notification's sentence: one line, mentions as `@nickname`. */
const excerpt = (text: string, entities: ReadonlyArray<MessageEntity>, nicknames: ReadonlyMap<UserId, string>) => {
  let readable = ""
  let from = 0
  for (const entity of [...entities].sort((a, b) => a.start - b.start)) {
    if (entity.type === "link") continue
    readable += `${text.slice(from, entity.start)}@${entity.type === "mention" ? (nicknames.get(entity.userId) ?? "someone") : "channel"}`
    from = entity.end
  }
  const line = `${readable}${text.slice(from)}`.replace(/\s+/g, " ").trim()
  return line.length > excerptLength ? `${line.slice(0, excerptLength - 1)}…` : line
}

/**
 * Who hears of a message, and as which notification (run by the worker for `NotifyChatMessage`),
 * from the message and the channel as they are when the job runs; a deleted message tells nobody.
 * Each person's level in the channel (`all`, `mentions`, `nothing`; by default `all` in a
 * conversation and `mentions` in a channel) decides: in a conversation, everyone else not at
 * `nothing` gets `chat.direct_message`; in a channel, those mentioned (or everyone, for `@channel`)
 * get `chat.mention`, followers of the thread `chat.thread_reply` for a reply, and those at `all`
 * `chat.message` for a message (not a reply). One notification per person per message (a mention
 * beats a thread reply, which beats a message), never to the author, only to those who may read the
 * channel. `Notifications.deliver` then applies preferences, mutes, blocks and quiet hours.
 */
export class ChatNotifier extends Context.Service<
  ChatNotifier,
  { readonly notify: (messageId: MessageId) => Effect.Effect<void> }
>()("@moim/server/Chat/ChatNotifier") {
  static readonly layer = Layer.effect(
    ChatNotifier,
    Effect.gen(function* () {
      const messages = yield* MessagesRepo
      const channels = yield* ChannelsRepo
      const extras = yield* MessageExtrasRepo
      const access = yield* ChatAccess
      const notifications = yield* Notifications
      const profiles = yield* Profiles

      return ChatNotifier.of({
        notify: Effect.fn("ChatNotifier.notify")(function* (messageId) {
          const found = yield* messages.find(messageId)
          if (Option.isNone(found) || found.value.deletedAt !== null || found.value.authorId === null) return
          const message = found.value
          const authorId = found.value.authorId
          const channel = yield* channels.find(message.channelId)
          if (Option.isNone(channel)) return
          const { kind, groupId, name } = channel.value
          const direct = kind === "direct"

          const followers = message.threadRootId === null || direct ? [] : yield* extras.followers(message.threadRootId)
          const settings = yield* channels.notifyLevels(message.channelId, {
            everyone: direct || message.mentionsChannel,
            userIds: [...message.mentionedIds, ...followers]
          })
          // Followers of a public channel's thread need not be in the channel: theirs is the default.
          const levelOf = (userId: UserId): ChannelNotifyLevel =>
            ChatPolicy.notifyLevel(kind, settings.get(userId) ?? null)
          const inChannel = [...settings.keys()]

          const mentioned = direct ? [] : message.mentionsChannel ? inChannel : message.mentionedIds
          const byKind = {
            direct: direct ? inChannel : [],
            mention: mentioned.filter((userId) => settings.has(userId)),
            thread: followers,
            message: direct || message.threadRootId !== null ? [] : inChannel.filter((id) => levelOf(id) === "all")
          }

          const people = yield* profiles.getMany(
            message.entities.flatMap((entity) => (entity.type === "mention" ? [entity.userId] : []))
          )
          const nicknames = new Map([...people].map(([id, profile]) => [id, profile.nickname] as const))
          const text = excerpt(message.body, message.entities, nicknames)
          const common = { eventId: message.id, actorId: authorId, subjectId: message.id, groupId }
          const told = new Set<UserId>([authorId])
          const actor = (userId: UserId) => ({ userId, siteRole: "user" as const })
          const recipientsOf = (candidates: ReadonlyArray<UserId>) =>
            Effect.filter(
              [...new Set(candidates)].filter((userId) => !told.has(userId) && levelOf(userId) !== "nothing"),
              (userId) =>
                Effect.map(access.readable(actor(userId), [message.channelId]), (readable) =>
                  readable.has(message.channelId)
                ),
              { concurrency: 8 }
            ).pipe(
              Effect.tap((recipients) =>
                Effect.sync(() => {
                  for (const userId of recipients) told.add(userId)
                })
              )
            )

          if (direct) {
            const recipients = yield* recipientsOf(byKind.direct)
            if (recipients.length === 0) return
            yield* notifications.deliver({
              ...common,
              kind: ChatDirectMessage,
              data: {
                messageId: message.id,
                channelId: message.channelId,
                threadRootId: message.threadRootId,
                excerpt: text
              },
              recipients
            })
            return
          }
          if (groupId === null) return
          const data = {
            messageId: message.id,
            channelId: message.channelId,
            groupId,
            channelName: name ?? "",
            threadRootId: message.threadRootId,
            excerpt: text
          }
          const mentions = yield* recipientsOf(byKind.mention)
          if (mentions.length > 0)
            yield* notifications.deliver({ ...common, kind: ChatMention, data, recipients: mentions })
          const replies = yield* recipientsOf(byKind.thread)
          if (replies.length > 0) {
            yield* notifications.deliver({ ...common, kind: ChatThreadReply, data, recipients: replies })
          }
          const plain = yield* recipientsOf(byKind.message)
          if (plain.length > 0) {
            yield* notifications.deliver({ ...common, kind: ChatChannelMessage, data, recipients: plain })
          }
        })
      })
    })
  )
}
