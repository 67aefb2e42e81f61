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
  UnarchiveChannel,
  UpdateChannel
} from "@moim/domain/Chat/ChatApi"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Channels } from "./Channels.ts"
import { Messages } from "./Messages.ts"

/** One handler per chat operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const channels = yield* Channels
  const messages = yield* Messages
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
    SendMessage: ({ id, ...input }) => CurrentUser.use((user) => messages.send(user, id, input)),
    ListMessages: ({ id, ...query }) => CurrentUser.use((user) => messages.history(user, id, query)),
    ListThreadReplies: ({ id, ...query }) => CurrentUser.use((user) => messages.replies(user, id, query)),
    GetMessage: ({ id }) => CurrentUser.use((user) => messages.get(user, id)),
    EditMessage: ({ id, body }) => CurrentUser.use((user) => messages.edit(user, id, body)),
    DeleteMessage: ({ id }) => CurrentUser.use((user) => messages.remove(user, id)),
    ListMessageEdits: ({ id }) => CurrentUser.use((user) => messages.edits(user, id))
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
      ...Operations.rest(SendMessage, handler.SendMessage),
      ...Operations.rest(ListMessages, handler.ListMessages),
      ...Operations.rest(ListThreadReplies, handler.ListThreadReplies),
      ...Operations.rest(GetMessage, handler.GetMessage),
      ...Operations.rest(EditMessage, handler.EditMessage),
      ...Operations.rest(DeleteMessage, handler.DeleteMessage),
      ...Operations.rest(ListMessageEdits, handler.ListMessageEdits)
    })
  )
)

/** The chat REST group with the middleware its endpoints use. */
export const ChatHttpLive = ChatHttp.pipe(Layer.provide(AuthenticationLive))
