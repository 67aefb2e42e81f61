import { NotifyChatMessageHandler } from "./NotifyChatMessage.ts"
import { PurgeDeletedMessagesHandler } from "./PurgeDeletedMessages.ts"

/** The chat feature's jobs: notifying people of direct messages, mentions, thread replies and messages; the purge of deleted messages' earlier texts. */
export const ChatJobs = [NotifyChatMessageHandler, PurgeDeletedMessagesHandler] as const
