import type { UserId } from "@moim/domain/Accounts/User"
import { Channel, ChatMessage } from "@moim/domain/Chat/Chat"
import { Context, DateTime, Effect, Layer } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { MediaLibrary } from "../Media/MediaLibrary.ts"
import { ChannelsRepo, type ReadRow } from "./ChannelsRepo.ts"
import { type ChannelContext, ChatPolicy } from "./ChatPolicy.ts"
import type { MessageRow } from "./MessagesRepo.ts"

const utc = (date: Date) => DateTime.fromDateUnsafe(date)

/** Rows to what clients see, authors and conversation members fetched once per page. */
export class ChatViews extends Context.Service<
  ChatViews,
  {
    readonly messages: (rows: ReadonlyArray<MessageRow>) => Effect.Effect<ReadonlyArray<ChatMessage>>
    readonly message: (row: MessageRow) => Effect.Effect<ChatMessage>
    /** The channels as the viewer sees them, with their read state in those they are in. */
    readonly channels: (
      viewerId: UserId,
      contexts: ReadonlyArray<ChannelContext>
    ) => Effect.Effect<ReadonlyArray<Channel>>
    readonly channel: (viewerId: UserId, context: ChannelContext) => Effect.Effect<Channel>
  }
>()("@moim/server/Chat/ChatViews") {
  static readonly layer = Layer.effect(
    ChatViews,
    Effect.gen(function* () {
      const profiles = yield* Profiles
      const repo = yield* ChannelsRepo
      const media = yield* MediaLibrary

      const messages = Effect.fn("ChatViews.messages")(function* (rows: ReadonlyArray<MessageRow>) {
        const [authors, attachments] = yield* Effect.all(
          [
            profiles.getMany(rows.flatMap((row) => (row.authorId === null ? [] : [row.authorId]))),
            media.attachments(rows.flatMap((row) => row.attachmentIds))
          ],
          { concurrency: 2 }
        )
        return rows.map(
          (row) =>
            new ChatMessage({
              id: row.id,
              channelId: row.channelId,
              author: row.authorId === null ? null : (authors.get(row.authorId) ?? null),
              body: row.body,
              entities: row.entities,
              threadRootId: row.threadRootId,
              thread: {
                replyCount: row.replyCount,
                lastReplyAt: row.lastReplyAt === null ? null : utc(row.lastReplyAt),
                participantIds: row.replyParticipants
              },
              clientMessageId: row.clientMessageId,
              edited: row.editedAt !== null,
              editedAt: row.editedAt === null ? null : utc(row.editedAt),
              deleted: row.deletedAt !== null,
              reactions: row.reactions,
              pinned: row.pinnedAt === null ? null : { by: row.pinnedBy, at: utc(row.pinnedAt) },
              attachments: row.attachmentIds.flatMap((id) => {
                const attachment = attachments.get(id)
                return attachment === undefined ? [] : [attachment]
              }),
              createdAt: utc(row.createdAt)
            })
        )
      })

      const channels = Effect.fn("ChatViews.channels")(function* (
        viewerId: UserId,
        contexts: ReadonlyArray<ChannelContext>
      ) {
        const joined = contexts.filter((context) => context.membership !== null).map((context) => context.channel.id)
        const direct = contexts
          .filter((context) => context.channel.kind === "direct")
          .map((context) => context.channel.id)
        const [reads, directMembers] = yield* Effect.all([repo.reads(joined, viewerId), repo.membersOf(direct)], {
          concurrency: 2
        })
        const readOf = new Map<string, ReadRow>(reads.map((read) => [read.channelId, read] as const))
        const membersOf = new Map<string, Array<UserId>>()
        for (const { channelId, userId } of directMembers) {
          membersOf.set(channelId, [...(membersOf.get(channelId) ?? []), userId])
        }
        const people = yield* profiles.getMany(directMembers.map((member) => member.userId))
        return contexts.map((context) => {
          const { channel, membership } = context
          const read = readOf.get(channel.id)
          return new Channel({
            id: channel.id,
            groupId: channel.groupId,
            kind: channel.kind,
            name: channel.name,
            topic: channel.topic,
            isDefault: channel.isDefault,
            archived: channel.archivedAt !== null,
            memberCount: channel.memberCount,
            members: (membersOf.get(channel.id) ?? []).flatMap((id) => {
              const profile = people.get(id)
              return profile === undefined ? [] : [profile]
            }),
            lastMessageAt: channel.lastMessageAt === null ? null : utc(channel.lastMessageAt),
            createdAt: utc(channel.createdAt),
            viewer: {
              member: membership !== null,
              role: membership?.role ?? null,
              canManage: ChatPolicy.canManage(context),
              lastReadMessageId: read?.lastReadMessageId ?? null,
              unreadCount: read?.unreadCount ?? 0,
              mentionCount: read?.mentionCount ?? 0,
              notify: membership === null ? null : ChatPolicy.notifyLevel(channel.kind, membership.notify)
            }
          })
        })
      })

      return ChatViews.of({
        messages,
        message: (row) =>
          Effect.flatMap(messages([row]), ([message]) =>
            message === undefined ? Effect.die(new Error("A message was not shown")) : Effect.succeed(message)
          ),
        channels,
        channel: (viewerId, context) =>
          Effect.flatMap(channels(viewerId, [context]), ([channel]) =>
            channel === undefined ? Effect.die(new Error("A channel was not shown")) : Effect.succeed(channel)
          )
      })
    })
  )
}
