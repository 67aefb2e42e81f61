import { NotifyChatMessageHandler } from "./NotifyChatMessage.ts"

/** The chat feature's jobs: notifying people of direct messages, mentions, thread replies and messages. */
export const ChatJobs = [NotifyChatMessageHandler] as const
