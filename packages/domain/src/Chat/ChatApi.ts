import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { UserId, UserNotFound } from "../Accounts/User.ts"
import { GroupId, GroupNotFound } from "../Groups/Group.ts"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Feature from "../Kit/Feature.ts"
import { integerQuery } from "../Kit/IntegerQueryParameters.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import { MediaNotAttachable, MediaNotFound } from "../Media/MediaErrors.ts"
import {
  Channel,
  ChannelArchived,
  ChannelId,
  ChannelKind,
  ChannelMember,
  ChannelMemberPage,
  ChannelName,
  ChannelNameTaken,
  ChannelNotFound,
  ChannelNotifyLevel,
  ChannelPage,
  ChannelTopic,
  ChatMessage,
  ClientMessageId,
  DirectMessageNotAllowed,
  MessageBody,
  MessageEdit,
  MessageHistory,
  MessageId,
  MessageNotFound,
  ReadState
} from "./Chat.ts"
import { MessageAttachmentIds } from "./ChatMessageExtras.ts"
import { ChatMessageExtrasOperations } from "./ChatMessageExtrasApi.ts"
import { ChatSearchOperations } from "./ChatSearchApi.ts"
import { ChatPresenceOperations } from "./PresenceApi.ts"

export const CreateChannelPayload = Schema.Struct({
  name: ChannelName,
  kind: Schema.optional(Schema.Literals(["public", "private"])).annotate({ description: "Default `public`" }),
  topic: Schema.optional(ChannelTopic)
}).annotate({
  identifier: "CreateChannelPayload",
  description: "A channel in a group you belong to; you are its admin"
})

export const UpdateChannelPayload = Schema.Struct({
  name: Schema.optional(ChannelName).annotate({ description: "Channel admins; not for direct messages" }),
  topic: Schema.optional(ChannelTopic).annotate({ description: "Anyone in the channel" })
}).annotate({ identifier: "UpdateChannelPayload", description: "Only the fields present change" })

export const OpenDirectChannelPayload = Schema.Struct({
  userIds: Schema.Array(UserId)
    .check(Schema.isMinLength(1), Schema.isMaxLength(7))
    .annotate({ description: "The 1 to 7 other people: with you, 2 to 8 in all" })
}).annotate({
  identifier: "OpenDirectChannelPayload",
  description: "Who to talk with; the same people always get the same conversation"
})

export const SendMessagePayload = Schema.Struct({
  body: MessageBody,
  clientMessageId: Schema.optional(ClientMessageId),
  threadRootId: Schema.optional(MessageId).annotate({
    description: "Reply in the thread of this message (a message of the channel that is not itself a reply)"
  }),
  attachmentIds: Schema.optional(MessageAttachmentIds)
}).annotate({ identifier: "SendMessagePayload", description: "A message, or a reply in a thread" })

export const EditMessagePayload = Schema.Struct({
  body: MessageBody,
  attachmentIds: Schema.optional(
    MessageAttachmentIds.annotate({ description: "The photos the message now has, in order; without it, they stay" })
  )
}).annotate({
  identifier: "EditMessagePayload",
  description: "The new text; the earlier one is kept in the message's edits"
})

export const MarkReadPayload = Schema.Struct({
  messageId: Schema.optional(MessageId).annotate({
    description: "The last message you read; without it, the newest. Reading never moves backwards"
  })
}).annotate({ identifier: "MarkReadPayload", description: "How far you read" })

const historyQuery = {
  before: Schema.optional(MessageId).annotate({ description: "Messages before this one (older)" }),
  after: Schema.optional(MessageId).annotate({ description: "Messages after this one (newer)" }),
  around: Schema.optional(MessageId).annotate({
    description: "This message with up to `limit` messages on each side (to jump to it)"
  }),
  limit: integerQuery({ minimum: 1, maximum: 100, description: "Messages per side (1–100, default 50)" })
}

const channelParams = { id: ChannelId }
const messageParams = { id: MessageId }

export const CreateChannel = Operation.make(
  {
    rpc: "CreateChannel",
    access: Access.signedIn,
    params: { id: GroupId },
    body: Operation.body(CreateChannelPayload),
    success: Channel,
    status: 201,
    errors: [GroupNotFound, Forbidden, ChannelNameTaken],
    summary: "Create a channel",
    description: "Members of the group create public and private channels; the creator is the channel's admin."
  },
  (rest) => HttpApiEndpoint.post("createChannel", "/groups/:id/channels", rest.options).middleware(rest.middleware)
)

export const ListGroupChannels = Operation.make(
  {
    rpc: "ListGroupChannels",
    access: Access.signedIn,
    params: { id: GroupId },
    query: {
      archived: Schema.optional(Schema.Literals(["true", "false"])).annotate({
        description: "`true` lists archived channels instead (default `false`)"
      }),
      ...PageQuery
    },
    success: ChannelPage,
    errors: [GroupNotFound, Forbidden, InvalidCursor],
    summary: "A group's channels",
    description:
      "For members of the group: its public channels and the private ones you are in, `general` first, then by name."
  },
  (rest) => HttpApiEndpoint.get("listGroupChannels", "/groups/:id/channels", rest.options).middleware(rest.middleware)
)

export const ListMyChannels = Operation.make(
  {
    rpc: "ListMyChannels",
    access: Access.signedIn,
    query: {
      groupId: Schema.optional(GroupId).annotate({ description: "Only this group's channels" }),
      kind: Schema.optional(ChannelKind).annotate({
        description: "Only channels of this kind (`direct`: conversations)"
      }),
      ...PageQuery
    },
    success: ChannelPage,
    errors: [InvalidCursor],
    summary: "Your channels and conversations",
    description:
      "The channels you are in and your direct conversations, with unread and mention counts, most recently active first."
  },
  (rest) => HttpApiEndpoint.get("listMyChannels", "/me/channels", rest.options).middleware(rest.middleware)
)

export const GetChannel = Operation.make(
  {
    rpc: "GetChannel",
    access: Access.signedIn,
    params: channelParams,
    success: Channel,
    errors: [ChannelNotFound],
    summary: "A channel",
    description: "Members of the group for a public channel; those in it for a private channel or a conversation."
  },
  (rest) => HttpApiEndpoint.get("getChannel", "/channels/:id", rest.options).middleware(rest.middleware)
)

export const UpdateChannel = Operation.make(
  {
    rpc: "UpdateChannel",
    access: Access.signedIn,
    params: channelParams,
    body: Operation.body(UpdateChannelPayload),
    success: Channel,
    errors: [ChannelNotFound, Forbidden, ChannelNameTaken, ChannelArchived],
    summary: "Rename a channel or set its topic",
    description:
      "Channel admins and the group's owner and admins rename; anyone in the channel sets its topic. `general` keeps its name."
  },
  (rest) => HttpApiEndpoint.patch("updateChannel", "/channels/:id", rest.options).middleware(rest.middleware)
)

export const ArchiveChannel = Operation.make(
  {
    rpc: "ArchiveChannel",
    access: Access.signedIn,
    params: channelParams,
    success: Channel,
    errors: [ChannelNotFound, Forbidden],
    summary: "Archive a channel",
    description:
      "Channel admins and the group's owner and admins. An archived channel stays readable and takes no new messages; `general` cannot be archived."
  },
  (rest) => HttpApiEndpoint.post("archiveChannel", "/channels/:id/archive", rest.options).middleware(rest.middleware)
)

export const UnarchiveChannel = Operation.make(
  {
    rpc: "UnarchiveChannel",
    access: Access.signedIn,
    params: channelParams,
    success: Channel,
    errors: [ChannelNotFound, Forbidden],
    summary: "Bring an archived channel back",
    description: "Channel admins and the group's owner and admins."
  },
  (rest) =>
    HttpApiEndpoint.post("unarchiveChannel", "/channels/:id/unarchive", rest.options).middleware(rest.middleware)
)

export const JoinChannel = Operation.make(
  {
    rpc: "JoinChannel",
    access: Access.signedIn,
    params: channelParams,
    success: Channel,
    errors: [ChannelNotFound, ChannelArchived],
    summary: "Join a public channel",
    description: "Members of the group join its public channels; private channels are joined by being added."
  },
  (rest) => HttpApiEndpoint.post("joinChannel", "/channels/:id/join", rest.options).middleware(rest.middleware)
)

export const LeaveChannel = Operation.make(
  {
    rpc: "LeaveChannel",
    access: Access.signedIn,
    params: channelParams,
    errors: [ChannelNotFound, Forbidden],
    summary: "Leave a channel",
    description:
      "Leave a channel or a group conversation. Nobody leaves `general` (it is the group's) or a one-to-one conversation."
  },
  (rest) => HttpApiEndpoint.post("leaveChannel", "/channels/:id/leave", rest.options).middleware(rest.middleware)
)

export const ListChannelMembers = Operation.make(
  {
    rpc: "ListChannelMembers",
    access: Access.signedIn,
    params: channelParams,
    query: PageQuery,
    success: ChannelMemberPage,
    errors: [ChannelNotFound, InvalidCursor],
    summary: "Who is in a channel",
    description: "Admins first, then by when they joined."
  },
  (rest) => HttpApiEndpoint.get("listChannelMembers", "/channels/:id/members", rest.options).middleware(rest.middleware)
)

export const AddChannelMember = Operation.make(
  {
    rpc: "AddChannelMember",
    access: Access.signedIn,
    params: { id: ChannelId, userId: UserId },
    success: ChannelMember,
    errors: [ChannelNotFound, UserNotFound, Forbidden, ChannelArchived],
    summary: "Add someone to a channel",
    description:
      "A member of the group: to a public channel by anyone in it, to a private one by its admins (and the group's owner and admins)."
  },
  (rest) =>
    HttpApiEndpoint.put("addChannelMember", "/channels/:id/members/:userId", rest.options).middleware(rest.middleware)
)

export const RemoveChannelMember = Operation.make(
  {
    rpc: "RemoveChannelMember",
    access: Access.signedIn,
    params: { id: ChannelId, userId: UserId },
    errors: [ChannelNotFound, Forbidden],
    summary: "Remove someone from a channel",
    description:
      "Channel admins and the group's owner and admins. They stop receiving the channel at once; nobody is removed from `general` but by leaving the group."
  },
  (rest) =>
    HttpApiEndpoint.delete("removeChannelMember", "/channels/:id/members/:userId", rest.options).middleware(
      rest.middleware
    )
)

export const OpenDirectChannel = Operation.make(
  {
    rpc: "OpenDirectChannel",
    access: Access.signedIn,
    body: Operation.body(OpenDirectChannelPayload),
    success: Channel,
    errors: [UserNotFound, DirectMessageNotAllowed],
    summary: "Open a direct conversation",
    description:
      "With 1 to 7 people who each share a group with you or are your friends, and none of whom blocked you or was blocked by you. The same people get the same conversation."
  },
  (rest) => HttpApiEndpoint.post("openDirectChannel", "/me/direct-channels", rest.options).middleware(rest.middleware)
)

export const MarkChannelRead = Operation.make(
  {
    rpc: "MarkChannelRead",
    access: Access.signedIn,
    params: channelParams,
    body: Operation.optionalBody(MarkReadPayload),
    success: ReadState,
    errors: [ChannelNotFound, MessageNotFound],
    summary: "Mark a channel read",
    description: "Up to a message (default the newest). Your other devices are told on your stream (`chat.read`)."
  },
  (rest) => HttpApiEndpoint.post("markChannelRead", "/channels/:id/read", rest.options).middleware(rest.middleware)
)

export const SetChannelNotificationsPayload = Schema.Struct({
  level: Schema.NullOr(ChannelNotifyLevel).annotate({
    description: "Null goes back to the default: `all` in a conversation, `mentions` in a channel"
  })
}).annotate({
  identifier: "SetChannelNotificationsPayload",
  description: "What the channel notifies you of"
})

export const SetChannelNotifications = Operation.make(
  {
    rpc: "SetChannelNotifications",
    access: Access.signedIn,
    params: channelParams,
    body: Operation.body(SetChannelNotificationsPayload),
    success: Channel,
    errors: [ChannelNotFound, Forbidden],
    summary: "Choose what a channel notifies you of",
    description:
      "Those in the channel or conversation: `all` its messages, `mentions` (of you or `@channel`, and replies in threads you follow) or `nothing`; null for the default. The answer's `viewer.notify` is the level now in force."
  },
  (rest) =>
    HttpApiEndpoint.put("setChannelNotifications", "/channels/:id/notifications", rest.options).middleware(
      rest.middleware
    )
)

export const SendMessage = Operation.make(
  {
    rpc: "SendMessage",
    access: Access.signedIn,
    params: channelParams,
    body: Operation.body(SendMessagePayload),
    success: ChatMessage,
    status: 201,
    errors: [
      ChannelNotFound,
      MessageNotFound,
      Forbidden,
      ChannelArchived,
      DirectMessageNotAllowed,
      MediaNotFound,
      MediaNotAttachable
    ],
    summary: "Send a message",
    description:
      "Those in the channel (join a public channel first); not in a conversation where someone blocked another. With a `clientMessageId` already used in the channel, answers that message and sends nothing."
  },
  (rest) => HttpApiEndpoint.post("sendMessage", "/channels/:id/messages", rest.options).middleware(rest.middleware)
)

export const ListMessages = Operation.make(
  {
    rpc: "ListMessages",
    access: Access.signedIn,
    params: channelParams,
    query: historyQuery,
    success: MessageHistory,
    errors: [ChannelNotFound, MessageNotFound],
    summary: "A channel's messages",
    description:
      "Messages (not thread replies), oldest first: the newest without `before`, `after` or `around`; one of them pages or jumps. Deleted messages stay as placeholders."
  },
  (rest) => HttpApiEndpoint.get("listMessages", "/channels/:id/messages", rest.options).middleware(rest.middleware)
)

export const ListThreadReplies = Operation.make(
  {
    rpc: "ListThreadReplies",
    access: Access.signedIn,
    params: messageParams,
    query: historyQuery,
    success: MessageHistory,
    errors: [MessageNotFound],
    summary: "A thread's replies",
    description: "The replies to a message, oldest first; the first page without `before`, `after` or `around`."
  },
  (rest) => HttpApiEndpoint.get("listThreadReplies", "/messages/:id/replies", rest.options).middleware(rest.middleware)
)

export const GetMessage = Operation.make(
  {
    rpc: "GetMessage",
    access: Access.signedIn,
    params: messageParams,
    success: ChatMessage,
    errors: [MessageNotFound],
    summary: "A message",
    description: "Whoever may read its channel."
  },
  (rest) => HttpApiEndpoint.get("getMessage", "/messages/:id", rest.options).middleware(rest.middleware)
)

export const EditMessage = Operation.make(
  {
    rpc: "EditMessage",
    access: Access.signedIn,
    params: messageParams,
    body: Operation.body(EditMessagePayload),
    success: ChatMessage,
    errors: [MessageNotFound, Forbidden, ChannelArchived, MediaNotFound, MediaNotAttachable],
    summary: "Edit a message",
    description: "Its author, while in the channel. The earlier text is kept; the message is marked edited."
  },
  (rest) => HttpApiEndpoint.patch("editMessage", "/messages/:id", rest.options).middleware(rest.middleware)
)

export const DeleteMessage = Operation.make(
  {
    rpc: "DeleteMessage",
    access: Access.signedIn,
    params: messageParams,
    errors: [MessageNotFound, Forbidden],
    summary: "Delete a message",
    description:
      "Its author, the channel's admins, the group's owner and admins. The message stays as a placeholder without its text, so its thread holds."
  },
  (rest) => HttpApiEndpoint.delete("deleteMessage", "/messages/:id", rest.options).middleware(rest.middleware)
)

export const ListMessageEdits = Operation.make(
  {
    rpc: "ListMessageEdits",
    access: Access.signedIn,
    params: messageParams,
    success: Schema.Array(MessageEdit),
    errors: [MessageNotFound, Forbidden],
    summary: "A message's earlier texts",
    description: "Its author, the channel's admins and the group's owner and admins; newest first."
  },
  (rest) => HttpApiEndpoint.get("listMessageEdits", "/messages/:id/edits", rest.options).middleware(rest.middleware)
)

export const ChatOperations = [
  CreateChannel,
  ListGroupChannels,
  ListMyChannels,
  GetChannel,
  UpdateChannel,
  ArchiveChannel,
  UnarchiveChannel,
  JoinChannel,
  LeaveChannel,
  ListChannelMembers,
  AddChannelMember,
  RemoveChannelMember,
  OpenDirectChannel,
  MarkChannelRead,
  SetChannelNotifications,
  SendMessage,
  ListMessages,
  ListThreadReplies,
  GetMessage,
  EditMessage,
  DeleteMessage,
  ListMessageEdits,
  ...ChatMessageExtrasOperations,
  ...ChatPresenceOperations,
  ...ChatSearchOperations
] as const

export class ChatApi extends Operation.httpGroup("chat", ChatOperations).annotateMerge(
  OpenApi.annotations({
    title: "Chat",
    description: "A group's channels, direct conversations, messages with threads, read state"
  })
) {}

export const ChatRpcs = Operation.rpcGroup(ChatOperations)

export const ChatFeature = Feature.make({
  name: "chat",
  rest: [ChatApi],
  rpcs: ChatRpcs,
  operations: ChatOperations,
  restOnly: [],
  rpcOnly: []
})
