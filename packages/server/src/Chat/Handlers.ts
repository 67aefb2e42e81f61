import { Api } from "@moim/domain/Api"
import {
  AddChannelMember,
  ArchiveChannel,
  ChatRpcs,
  CreateChannel,
  DeleteMessage,
  EditMessage,
  GetChannel,
  GetMessage,
  JoinChannel,
  LeaveChannel,
  ListChannelMembers,
  ListGroupChannels,
  ListMessageEdits,
  ListMessages,
  ListMyChannels,
  ListThreadReplies,
  MarkChannelRead,
  OpenDirectChannel,
  RemoveChannelMember,
  SendMessage,
  SetChannelNotifications,
  UnarchiveChannel,
  UpdateChannel
} from "@moim/domain/Chat/ChatApi"
import {
  FollowThread,
  ListFollowedThreads,
  ListPinnedMessages,
  MarkThreadRead,
  PinMessage,
  ReactToMessage,
  RemoveMessageReaction,
  UnfollowThread,
  UnpinMessage
} from "@moim/domain/Chat/ChatMessageExtrasApi"
import { SearchMessages } from "@moim/domain/Chat/ChatSearchApi"
import { GetChannelPresence, SendTyping, SetPresence } from "@moim/domain/Chat/PresenceApi"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Channels } from "./Channels.ts"
import { MessageExtras } from "./MessageExtras.ts"
import { MessageSearch } from "./MessageSearch.ts"
import { Messages } from "./Messages.ts"
import { Presence } from "./Presence.ts"
import { Typing } from "./Typing.ts"

/** One handler per chat operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const channels = yield* Channels
  const messages = yield* Messages
  const extras = yield* MessageExtras
  const messageSearch = yield* MessageSearch
  const typing = yield* Typing
  const presence = yield* Presence
  return ChatRpcs.of({
    CreateChannel: ({ id, ...input }) => CurrentUser.use((user) => channels.create(user, id, input)),
    ListGroupChannels: ({ id, ...query }) => CurrentUser.use((user) => channels.listInGroup(user, id, query)),
    ListMyChannels: (query) => CurrentUser.use((user) => channels.listMine(user, query)),
    GetChannel: ({ id }) => CurrentUser.use((user) => channels.get(user, id)),
    UpdateChannel: ({ id, ...input }) => CurrentUser.use((user) => channels.update(user, id, input)),
    ArchiveChannel: ({ id }) => CurrentUser.use((user) => channels.setArchived(user, id, true)),
    UnarchiveChannel: ({ id }) => CurrentUser.use((user) => channels.setArchived(user, id, false)),
    JoinChannel: ({ id }) => CurrentUser.use((user) => channels.join(user, id)),
    LeaveChannel: ({ id }) => CurrentUser.use((user) => channels.leave(user, id)),
    ListChannelMembers: ({ id, ...query }) => CurrentUser.use((user) => channels.members(user, id, query)),
    AddChannelMember: ({ id, userId }) => CurrentUser.use((user) => channels.addMember(user, id, userId)),
    RemoveChannelMember: ({ id, userId }) => CurrentUser.use((user) => channels.removeMember(user, id, userId)),
    OpenDirectChannel: ({ userIds }) => CurrentUser.use((user) => channels.openDirect(user, userIds)),
    MarkChannelRead: ({ id, messageId }) => CurrentUser.use((user) => channels.markRead(user, id, messageId)),
    SetChannelNotifications: ({ id, level }) => CurrentUser.use((user) => channels.setNotifications(user, id, level)),
    SendMessage: ({ id, ...input }) => CurrentUser.use((user) => messages.send(user, id, input)),
    ListMessages: ({ id, ...query }) => CurrentUser.use((user) => messages.history(user, id, query)),
    ListThreadReplies: ({ id, ...query }) => CurrentUser.use((user) => messages.replies(user, id, query)),
    GetMessage: ({ id }) => CurrentUser.use((user) => messages.get(user, id)),
    EditMessage: ({ id, body, attachmentIds }) =>
      CurrentUser.use((user) => messages.edit(user, id, body, attachmentIds)),
    DeleteMessage: ({ id }) => CurrentUser.use((user) => messages.remove(user, id)),
    ListMessageEdits: ({ id }) => CurrentUser.use((user) => messages.edits(user, id)),
    ReactToMessage: ({ id, emoji }) => CurrentUser.use((user) => extras.react(user, id, emoji)),
    RemoveMessageReaction: ({ id, emoji }) => CurrentUser.use((user) => extras.unreact(user, id, emoji)),
    PinMessage: ({ id }) => CurrentUser.use((user) => extras.pin(user, id)),
    UnpinMessage: ({ id }) => CurrentUser.use((user) => extras.unpin(user, id)),
    ListPinnedMessages: ({ id }) => CurrentUser.use((user) => extras.pins(user, id)),
    FollowThread: ({ id }) => CurrentUser.use((user) => extras.follow(user, id)),
    UnfollowThread: ({ id }) => CurrentUser.use((user) => extras.unfollow(user, id)),
    MarkThreadRead: ({ id }) => CurrentUser.use((user) => extras.readThread(user, id)),
    ListFollowedThreads: (query) => CurrentUser.use((user) => extras.threads(user, query)),
    SearchMessages: (query) => CurrentUser.use((user) => messageSearch.search(user, query)),
    SendTyping: ({ id, threadRootId }) => CurrentUser.use((user) => typing.send(user, id, threadRootId)),
    SetPresence: ({ status }) => CurrentUser.use((user) => presence.set(user, status)),
    GetChannelPresence: ({ id }) => CurrentUser.use((user) => presence.ofChannel(user, id))
  })
})

export const ChatRpc = ChatRpcs.toLayer(handlers)

const ChatHttp = HttpApiBuilder.group(Api, "chat", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(CreateChannel, handler.CreateChannel),
      ...Operations.rest(ListGroupChannels, handler.ListGroupChannels),
      ...Operations.rest(ListMyChannels, handler.ListMyChannels),
      ...Operations.rest(GetChannel, handler.GetChannel),
      ...Operations.rest(UpdateChannel, handler.UpdateChannel),
      ...Operations.rest(ArchiveChannel, handler.ArchiveChannel),
      ...Operations.rest(UnarchiveChannel, handler.UnarchiveChannel),
      ...Operations.rest(JoinChannel, handler.JoinChannel),
      ...Operations.rest(LeaveChannel, handler.LeaveChannel),
      ...Operations.rest(ListChannelMembers, handler.ListChannelMembers),
      ...Operations.rest(AddChannelMember, handler.AddChannelMember),
      ...Operations.rest(RemoveChannelMember, handler.RemoveChannelMember),
      ...Operations.rest(OpenDirectChannel, handler.OpenDirectChannel),
      ...Operations.rest(MarkChannelRead, handler.MarkChannelRead),
      ...Operations.rest(SetChannelNotifications, handler.SetChannelNotifications),
      ...Operations.rest(SendMessage, handler.SendMessage),
      ...Operations.rest(ListMessages, handler.ListMessages),
      ...Operations.rest(ListThreadReplies, handler.ListThreadReplies),
      ...Operations.rest(GetMessage, handler.GetMessage),
      ...Operations.rest(EditMessage, handler.EditMessage),
      ...Operations.rest(DeleteMessage, handler.DeleteMessage),
      ...Operations.rest(ListMessageEdits, handler.ListMessageEdits),
      ...Operations.rest(ReactToMessage, handler.ReactToMessage),
      ...Operations.rest(RemoveMessageReaction, handler.RemoveMessageReaction),
      ...Operations.rest(PinMessage, handler.PinMessage),
      ...Operations.rest(UnpinMessage, handler.UnpinMessage),
      ...Operations.rest(ListPinnedMessages, handler.ListPinnedMessages),
      ...Operations.rest(FollowThread, handler.FollowThread),
      ...Operations.rest(UnfollowThread, handler.UnfollowThread),
      ...Operations.rest(MarkThreadRead, handler.MarkThreadRead),
      ...Operations.rest(ListFollowedThreads, handler.ListFollowedThreads),
      ...Operations.rest(SearchMessages, handler.SearchMessages),
      ...Operations.rest(SendTyping, handler.SendTyping),
      ...Operations.rest(SetPresence, handler.SetPresence),
      ...Operations.rest(GetChannelPresence, handler.GetChannelPresence)
    })
  )
)

/** The chat REST group with the middleware its endpoints use. */
export const ChatHttpLive = ChatHttp.pipe(Layer.provide(AuthenticationLive))
