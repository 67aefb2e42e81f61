import { Schema } from "effect"
import { Timestamp } from "../Kit/Timestamp.ts"
import { NotificationId, Subject } from "./Notification.ts"

/**
 * What a service worker receives in its `push` event (`event.data.json()`), decrypted by the
 * browser: enough to show the notification and open it, well under the 4 KB a push may carry.
 */
export const PushMessage = Schema.Struct({
  id: NotificationId,
  type: Schema.String.annotate({ description: "The kind, e.g. `group.joinRequested`" }),
  text: Schema.String.annotate({ description: "The sentence to show" }),
  subject: Subject,
  updatedAt: Timestamp.annotate({
    description: "The version pushed: a collapsed notification is pushed again when it changes"
  })
}).annotate({ identifier: "PushMessage", description: "The payload of a web push" })
export type PushMessage = typeof PushMessage.Type
