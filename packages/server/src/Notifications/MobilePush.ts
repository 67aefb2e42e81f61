import type { PushMessage } from "@moim/domain/Notifications/PushMessage"
import type { Duration } from "effect"

/** One push to one app install, as FCM and APNs are each sent it. */
export interface MobilePush {
  /** The install's registration (FCM) or device (APNs) token. */
  readonly token: string
  /** The app's bundle id (the APNs topic) or package name. */
  readonly appId: string
  /** The message as JSON (its time an ISO string), as web push carries it. */
  readonly message: typeof PushMessage.Encoded
  /** How long the push service keeps it while the device is offline. */
  readonly ttl: Duration.Duration
}

/**
 * What a push service made of a push: taken, or the token is not (or no longer) one of its installs
 * (the app was removed, the token renewed, or it belongs to another app or project), so the device is
 * to be forgotten. Anything else is a `PushFailed`, retryable or not.
 */
export type MobilePushAnswer = "sent" | "invalidToken"
