import { Layer } from "effect"
import { Channels } from "./Channels.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatHistoryCache } from "./ChatHistoryCache.ts"
import { ChatMembershipChanges } from "./ChatMembershipChanges.ts"
import { ChatViews } from "./ChatViews.ts"
import { MessageExtras } from "./MessageExtras.ts"
import { MessageExtrasRepo } from "./MessageExtrasRepo.ts"
import { MessageSearch } from "./MessageSearch.ts"
import { MessageSearchRepo } from "./MessageSearchRepo.ts"
import { Messages } from "./Messages.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

/**
 * The chat feature's services, on groups (`GroupAccess`), accounts (`Profiles`) and the social
 * graph (`Blocks`, and `AudienceGraph` for friends): channels, conversations and their messages.
 */
export const ChatLive = Layer.mergeAll(Channels.layer, Messages.layer, MessageSearch.layer).pipe(
  // Reactions, pins, photos and followed threads, which sends, edits and deletions keep up.
  Layer.provideMerge(MessageExtras.layer),
  Layer.provideMerge(Layer.mergeAll(ChatAccess.layer, ChatViews.layer, ChatHistoryCache.layer)),
  Layer.provideMerge(
    Layer.mergeAll(ChannelsRepo.layer, MessagesRepo.layer, MessageSearchRepo.layer, MessageExtrasRepo.layer)
  )
)

/** Groups' `MembershipChanges`, answered by chat: members are in `general`, and leave every channel with the group. */
export const ChatMembershipChangesLive = ChatMembershipChanges.pipe(Layer.provide(ChannelsRepo.layer))
