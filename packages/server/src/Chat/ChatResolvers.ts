import { ChannelId, MessageId } from "@moim/domain/Chat/Chat"
import { Effect, Option, Schema } from "effect"
import { subjectKindOf } from "../Media/MediaOrphans.ts"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

const decodeChannelId = Schema.decodeUnknownOption(ChannelId)
const decodeMessageId = Schema.decodeUnknownOption(MessageId)

/** A channel's topic may be joined by whoever may read the channel. */
export const ChannelTopics = Effect.map(
  ChatAccess,
  (access): TopicResolver => ({
    kind: "channel",
    allowed: (viewer, id) =>
      Option.match(decodeChannelId(id), {
        onNone: () => Effect.succeed(false),
        onSome: (channelId) => Effect.map(access.readable(viewer, [channelId]), (readable) => readable.has(channelId))
      })
  })
)

/**
 * A notification about a message is shown while the message is there (not deleted) and its
 * recipient may read its channel: someone who left a private channel or a conversation, or the
 * group, no longer sees what it told them.
 */
export const ChatMessageSubjects = Effect.gen(function* () {
  const access = yield* ChatAccess
  const messages = yield* MessagesRepo
  return {
    kind: "chatMessage",
    visible: Effect.fn("ChatMessageSubjects.visible")(function* (viewer, ids) {
      const rows = (yield* messages.findMany(ids.flatMap((id) => Option.toArray(decodeMessageId(id))))).filter(
        (row) => row.deletedAt === null
      )
      const readable = yield* access.readable(viewer, [...new Set(rows.map((row) => row.channelId))])
      return new Set(rows.filter((row) => readable.has(row.channelId)).map((row): string => row.id))
    })
  } satisfies SubjectResolver
})

/** Which messages still exist, for the sweep of photos whose subject is gone (`MediaOrphans`). */
export const ChatMediaSubjects = Effect.map(MessagesRepo, (messages) =>
  subjectKindOf("message", MessageId, messages.findMany)
)
