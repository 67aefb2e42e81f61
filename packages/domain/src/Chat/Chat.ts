import { Schema } from "effect"
import { PublicProfile, UserId } from "../Accounts/User.ts"
import { GroupId } from "../Groups/Group.ts"
import { Page } from "../Kit/Page.ts"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { Attachment } from "../Media/Media.ts"
import { MessagePin, MessageReaction } from "./ChatMessageExtras.ts"

export const ChannelId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("ChannelId"))
  .annotate({ identifier: "ChannelId", description: "A chat channel's id (UUIDv7)" })
export type ChannelId = typeof ChannelId.Type

export const MessageId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("MessageId"))
  .annotate({ identifier: "MessageId", description: "A chat message's id (UUIDv7)" })
export type MessageId = typeof MessageId.Type

export const ChannelKind = Schema.Literals(["public", "private", "direct"]).annotate({
  identifier: "ChannelKind",
  description:
    "`public`: any member of the group reads and joins it; `private`: only its members, added by a channel admin; `direct`: a conversation of 2 to 8 people outside any channel list"
})
export type ChannelKind = typeof ChannelKind.Type

/** A channel's name, as Slack and Mattermost write them: lower-case, no spaces. */
export const ChannelName = TrimmedText({
  minLength: 1,
  maxLength: 80,
  lowerCase: true,
  pattern: /^\s*[\p{L}\p{N}][\p{L}\p{N}_-]*\s*$/u,
  annotations: {
    description:
      "1 to 80 letters, digits, `-` and `_`, starting with a letter or digit; stored lower-case, unique in the group"
  }
})

export const ChannelTopic = Text({ maxLength: 250, annotations: { description: "Up to 250 characters" } })

export const ChannelRole = Schema.Literals(["admin", "member"]).annotate({
  identifier: "ChannelRole",
  description:
    "`admin`: renames, sets the topic, archives, adds and removes members (the creator is one; so are the group's owner and admins, always); `member`: reads and writes"
})
export type ChannelRole = typeof ChannelRole.Type

export const ChannelNotifyLevel = Schema.Literals(["all", "mentions", "nothing"]).annotate({
  identifier: "ChannelNotifyLevel",
  description:
    "What the channel notifies you of: `all` its messages, `mentions` (of you or `@channel`, and replies in threads you follow), or `nothing`"
})
export type ChannelNotifyLevel = typeof ChannelNotifyLevel.Type

export const ChannelViewer = Schema.Struct({
  member: Schema.Boolean.annotate({ description: "Whether you are in the channel (a public one can be read without)" }),
  role: Schema.NullOr(ChannelRole).annotate({ description: "Your role; null unless you are in the channel" }),
  canManage: Schema.Boolean.annotate({
    description: "Whether you may rename it, set its topic, archive it and remove its members"
  }),
  lastReadMessageId: Schema.NullOr(MessageId).annotate({ description: "The last message you read, if any" }),
  unreadCount: Schema.Int.annotate({
    description: "Messages (not thread replies) after the last one you read, by others, up to 1000"
  }),
  mentionCount: Schema.Int.annotate({
    description: "Of the messages and thread replies after the last one you read, those that mention you or `@channel`"
  }),
  notify: Schema.NullOr(ChannelNotifyLevel).annotate({
    description:
      "What the channel notifies you of (your setting, or the default: `all` in a conversation, `mentions` in a channel); null unless you are in it"
  })
}).annotate({ identifier: "ChannelViewer", description: "Where you stand with the channel" })

export class Channel extends Schema.Class<Channel>("Channel")(
  {
    id: ChannelId,
    groupId: Schema.NullOr(GroupId).annotate({ description: "The team (group); null for direct messages" }),
    kind: ChannelKind,
    name: Schema.NullOr(Schema.String).annotate({ description: "Null for direct messages" }),
    topic: Schema.String,
    isDefault: Schema.Boolean.annotate({
      description: "The group's `general` channel: every member is in it; it cannot be left, made private or archived"
    }),
    archived: Schema.Boolean.annotate({ description: "Archived channels are read-only" }),
    memberCount: Schema.Int,
    members: Schema.Array(PublicProfile).annotate({
      description: "For direct messages, everyone in the conversation (you included); empty for channels"
    }),
    lastMessageAt: Schema.NullOr(Timestamp),
    createdAt: Timestamp,
    viewer: ChannelViewer
  },
  { description: "A chat channel of a group, or a direct conversation" }
) {}

export const ChannelPage = Page(Channel, "ChannelPage")

export class ChannelMember extends Schema.Class<ChannelMember>("ChannelMember")(
  Schema.Struct({
    user: PublicProfile,
    role: ChannelRole,
    joinedAt: Timestamp
  }).annotate({ description: "Someone in a channel" }),
  { description: "Someone in a channel" }
) {}

export const ChannelMemberPage = Page(ChannelMember, "ChannelMemberPage")

export const MessageBody = Text({
  minLength: 1,
  maxLength: 4000,
  annotations: {
    description:
      "Plain text, 1 to 4000 characters. `<@userId>` or `@nickname` (of someone in the channel) mentions them; `@channel` mentions everyone in it; `http(s)://` links are recognised. All come back as `entities`."
  }
})

/** A client's id for a message it sends, so that a retried send makes one message. */
export const ClientMessageId = Text({
  minLength: 1,
  maxLength: 64,
  annotations: {
    description:
      "Your id for this message (a UUID is best), unique among your messages in the channel: sending again with the same one answers the message already made instead of a second"
  }
}).check(Schema.isPattern(/^[A-Za-z0-9_-]+$/))

/** Something recognised in a message's body, by its position (UTF-16 code units, as JavaScript indexes strings). */
export const MessageEntity = Schema.Union([
  Schema.Struct({ type: Schema.Literal("mention"), start: Schema.Int, end: Schema.Int, userId: UserId }),
  Schema.Struct({ type: Schema.Literal("channelMention"), start: Schema.Int, end: Schema.Int }),
  Schema.Struct({ type: Schema.Literal("link"), start: Schema.Int, end: Schema.Int, url: Schema.String })
]).annotate({
  identifier: "MessageEntity",
  description: "A mention of someone, of the whole channel (`@channel`), or a link in the body, with its range"
})
export type MessageEntity = typeof MessageEntity.Type

export const ThreadSummary = Schema.Struct({
  replyCount: Schema.Int,
  lastReplyAt: Schema.NullOr(Timestamp),
  participantIds: Schema.Array(UserId).annotate({ description: "Who replied, most recent first (up to 10)" })
}).annotate({ identifier: "ThreadSummary", description: "The replies to a message" })

export class ChatMessage extends Schema.Class<ChatMessage>("ChatMessage")(
  {
    id: MessageId,
    channelId: ChannelId,
    author: Schema.NullOr(PublicProfile).annotate({ description: "Null once the author's account is gone" }),
    body: Schema.String.annotate({ description: "Empty once deleted" }),
    entities: Schema.Array(MessageEntity),
    threadRootId: Schema.NullOr(MessageId).annotate({ description: "The message this replies to, in its thread" }),
    thread: ThreadSummary,
    clientMessageId: Schema.NullOr(Schema.String).annotate({
      description: "The id its author's client sent it with, so the client can match its own message"
    }),
    edited: Schema.Boolean,
    editedAt: Schema.NullOr(Timestamp),
    deleted: Schema.Boolean.annotate({
      description: "Deleted messages stay, without their text, so that threads and replies keep their place"
    }),
    reactions: Schema.Array(MessageReaction).annotate({
      description:
        "Its reactions, one entry per emoji, in the order they were first used; yours are those whose `userIds` hold your id"
    }),
    pinned: Schema.NullOr(MessagePin).annotate({ description: "Who pinned it in its channel, and when" }),
    attachments: Schema.Array(Attachment).annotate({ description: "Photos, in order (up to 10)" }),
    createdAt: Timestamp
  },
  { description: "A message in a channel or a direct conversation" }
) {}

export const MessageHistory = Schema.Struct({
  items: Schema.Array(ChatMessage).annotate({ description: "Oldest first" }),
  hasMoreBefore: Schema.Boolean.annotate({
    description: "There are older messages: ask again with `before` the first one"
  }),
  hasMoreAfter: Schema.Boolean.annotate({
    description: "There are newer messages: ask again with `after` the last one"
  })
}).annotate({ identifier: "MessageHistory", description: "A window of a channel's messages or a thread's replies" })
export type MessageHistory = typeof MessageHistory.Type

export class MessageEdit extends Schema.Class<MessageEdit>("MessageEdit")(
  Schema.Struct({
    body: Schema.String,
    entities: Schema.Array(MessageEntity),
    replacedAt: Timestamp.annotate({ description: "When an edit replaced this text" })
  }).annotate({ description: "A message's earlier text" }),
  { description: "A message's earlier text" }
) {}

export const ReadState = Schema.Struct({
  channelId: ChannelId,
  lastReadMessageId: Schema.NullOr(MessageId),
  unreadCount: Schema.Int,
  mentionCount: Schema.Int
}).annotate({ identifier: "ChatReadState", description: "Where you are in a channel" })
export type ReadState = typeof ReadState.Type

export class ChannelNotFound extends Schema.TaggedError<ChannelNotFound>()(
  "ChannelNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "ChannelNotFound", description: "No such channel, or not one you may see" }
) {}

export class MessageNotFound extends Schema.TaggedError<MessageNotFound>()(
  "MessageNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "MessageNotFound", description: "No such message, or not one you may see" }
) {}

export class ChannelNameTaken extends Schema.TaggedError<ChannelNameTaken>()(
  "ChannelNameTaken",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "ChannelNameTaken", description: "The group already has a channel of that name" }
) {}

export class ChannelArchived extends Schema.TaggedError<ChannelArchived>()(
  "ChannelArchived",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "ChannelArchived", description: "The channel is archived: it is read-only" }
) {}

export class DirectMessageNotAllowed extends Schema.TaggedError<DirectMessageNotAllowed>()(
  "DirectMessageNotAllowed",
  { message: Schema.String },
  {
    httpApiStatus: 403,
    identifier: "DirectMessageNotAllowed",
    description:
      "Direct messages are between 2 and 8 people who each share a group with you or are your friends, and none of whom blocked you or was blocked by you"
  }
) {}
