import { Layer } from "effect"
import { Channels } from "./Channels.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatMembershipChanges } from "./ChatMembershipChanges.ts"
import { ChatViews } from "./ChatViews.ts"
import { Messages } from "./Messages.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

/**
 * The chat feature's services, on groups (`GroupAccess`), accounts (`Profiles`) and the social
 * graph (`Blocks`, and `AudienceGraph` for friends): channels, conversations and their messages.
 */
export const ChatLive = Layer.mergeAll(Channels.layer, Messages.layer).pipe(
  Layer.provideMerge(Layer.mergeAll(ChatAccess.layer, ChatViews.layer)),
  Layer.provideMerge(Layer.mergeAll(ChannelsRepo.layer, MessagesRepo.layer))
)

/** Groups' `MembershipChanges`, answered by chat: members are in `general`, and leave every channel with the group. */
export const ChatMembershipChangesLive = ChatMembershipChanges.pipe(Layer.provide(ChannelsRepo.layer))
