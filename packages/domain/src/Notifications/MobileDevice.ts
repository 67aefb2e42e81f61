import { Schema } from "effect"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const MobileDeviceId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("MobileDeviceId"))
  .annotate({ identifier: "MobileDeviceId", description: "A registered mobile device's id (UUIDv7)" })
export type MobileDeviceId = typeof MobileDeviceId.Type

export const MobilePlatform = Schema.Literals(["fcm", "apns"]).annotate({
  identifier: "MobilePlatform",
  description:
    "Which push service reaches the app: `fcm` (Firebase Cloud Messaging: Android, or any app using the Firebase SDK) or `apns` (Apple's push service, with the token iOS gives the app)"
})
export type MobilePlatform = typeof MobilePlatform.Type

/** An APNs device token is hex (32 bytes today; Apple says not to rely on the length). */
const apnsToken = /^[0-9A-Fa-f]{64,200}$/u

/** The token the app got from its platform, and which app it is. */
export const RegisterMobileDevicePayload = Schema.Struct({
  platform: MobilePlatform,
  token: Text({
    minLength: 1,
    maxLength: 4096,
    annotations: {
      description:
        "The registration token (FCM: `getToken()`) or device token (APNs: `didRegisterForRemoteNotificationsWithDeviceToken`, as hex)",
      examples: ["9f2c4e0b7a1d3c5e8f6a2b4d0c9e1f3a5b7d9e1f2a4c6e8b0d2f4a6c8e0b2d4f"]
    }
  }).check(Schema.isPattern(/^[A-Za-z0-9_:.-]+$/u)),
  appId: Text({
    minLength: 1,
    maxLength: 255,
    annotations: {
      description:
        "The app's identifier: its bundle id on iOS (the APNs topic), its package name on Android, e.g. `com.example.moim`",
      examples: ["com.example.moim"]
    }
  }).check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]*$/u)),
  deviceName: Schema.optional(
    TrimmedText({
      maxLength: 100,
      annotations: {
        description: "A name to tell your devices apart, e.g. `Ada's iPhone`; kept when omitted on renewal",
        examples: ["Ada's iPhone"]
      }
    })
  )
})
  // Described before the check: a description given after it would describe the check, not the object.
  .annotate({ description: "A phone app's push token, with its platform and app id" })
  .check(
    Schema.makeFilter((payload) =>
      payload.platform !== "apns" || apnsToken.test(payload.token)
        ? undefined
        : { path: ["token"], issue: "an APNs device token is hexadecimal (64 characters or more)" }
    )
  )
  .annotate({
    identifier: "RegisterMobileDevicePayload",
    description: "A phone app's push token, with its platform and app id"
  })

/** One device that receives your notifications through its app's push service. */
export class MobileDevice extends Schema.Class<MobileDevice>("MobileDevice")(
  {
    id: MobileDeviceId,
    platform: MobilePlatform,
    appId: Schema.String.annotate({ description: "The app's bundle id or package name" }),
    deviceName: Schema.NullOr(Schema.String),
    createdAt: Timestamp
  },
  { description: "A phone or tablet that receives your notifications by FCM or APNs" }
) {}

export class MobileDeviceNotFound extends Schema.TaggedError<MobileDeviceNotFound>()(
  "MobileDeviceNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "MobileDeviceNotFound", description: "No such mobile device of yours" }
) {}

/**
 * This server does not push to the platform (its FCM or APNs credentials are not configured). 404,
 * not 503, as `PushNotConfigured`: the channel is absent from this deployment, so the app hides it.
 */
export class MobilePushNotConfigured extends Schema.TaggedError<MobilePushNotConfigured>()(
  "MobilePushNotConfigured",
  { message: Schema.String, platform: MobilePlatform },
  {
    httpApiStatus: 404,
    identifier: "MobilePushNotConfigured",
    description: "This server does not push to this platform"
  }
) {}
