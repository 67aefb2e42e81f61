import { NotifyChatMessage } from "@moim/domain/Chat/ChatNotifications"
import { ChatNotifier } from "@moim/server/Chat/ChatNotifier"
import * as JobHandler from "../JobHandler.ts"

/** Tells the people concerned of a message; delivering it twice reaches nobody twice. */
export const NotifyChatMessageHandler = JobHandler.make(NotifyChatMessage, ({ messageId }) =>
  ChatNotifier.use((notifier) => notifier.notify(messageId))
)
