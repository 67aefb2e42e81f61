import { Result, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const PushSubscriptionId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("PushSubscriptionId"))
  .annotate({ identifier: "PushSubscriptionId", description: "A push subscription's id (UUIDv7)" })
export type PushSubscriptionId = typeof PushSubscriptionId.Type

/** The bytes of base64url text (RFC 4648 §5), padded or not. */
const bytesOf = (value: string): Uint8Array | undefined => {
  const decoded = Base64Url.decode(value.replace(/=+$/u, ""))
  return Result.isSuccess(decoded) ? decoded.success : undefined
}

const bigIntOf = (bytes: Uint8Array): bigint => bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n)

// NIST P-256: y² = x³ - 3x + b over the prime field p.
const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const b = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn
const mod = (value: bigint) => ((value % p) + p) % p

/**
 * A public key on P-256, uncompressed (65 bytes, `0x04 || x || y`), whose point is on the curve: a
 * key that is not cannot encrypt anything, so it is refused when registered, not when first used.
 */
const isP256PublicKey = Schema.makeFilter(
  (value: string) => {
    const bytes = bytesOf(value)
    if (bytes === undefined || bytes.length !== 65 || bytes[0] !== 4) return false
    const x = bigIntOf(bytes.subarray(1, 33))
    const y = bigIntOf(bytes.subarray(33))
    return x < p && y < p && mod(y * y) === mod(x * x * x - 3n * x + b)
  },
  { expected: "an uncompressed P-256 public key (65 bytes, base64url)" }
)

const isAuthSecret = Schema.makeFilter((value: string) => bytesOf(value)?.length === 16, {
  expected: "a 16-byte secret (base64url)"
})

const isPushUrl = Schema.makeFilter(
  (value: string) => {
    if (!URL.canParse(value)) return false
    const url = new URL(value)
    return url.protocol === "https:" || url.protocol === "http:"
  },
  { expected: "an absolute https URL (http only for a loopback test service the server allows)" }
)

/** What `PushSubscription.toJSON()` gives in a browser, as it is, and a name for the device. */
export const RegisterPushSubscriptionPayload = Schema.Struct({
  endpoint: Text({
    minLength: 1,
    maxLength: 2048,
    annotations: {
      description:
        "The push service URL the browser gave (`subscription.endpoint`). It must be on one of the push services the server allows.",
      examples: ["https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH"]
    }
  }).check(Schema.isPattern(/^https?:\/\/\S+$/u), isPushUrl),
  keys: Schema.Struct({
    // The lengths are the patterns' (87 or 88, 22 or 24 characters): the key and secret have fixed sizes.
    p256dh: Text({
      maxLength: 88,
      annotations: { description: "The browser's P-256 public key (`subscription.toJSON().keys.p256dh`), base64url" }
    }).check(Schema.isPattern(/^[A-Za-z0-9_-]{87}=?$/u), isP256PublicKey),
    auth: Text({
      maxLength: 24,
      annotations: { description: "The browser's authentication secret (`keys.auth`), base64url" }
    }).check(Schema.isPattern(/^[A-Za-z0-9_-]{22}(==)?$/u), isAuthSecret)
  }).annotate({ identifier: "PushSubscriptionKeys", description: "The keys the payload is encrypted for (RFC 8291)" }),
  expirationTime: Schema.optional(
    Schema.NullOr(Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 8_640_000_000_000_000 }))).annotate({
      description:
        "What `toJSON()` gives (usually null); not used: the push service's answer tells when a subscription ended"
    })
  ),
  deviceName: Schema.optional(
    TrimmedText({
      maxLength: 100,
      annotations: {
        description: "A name to tell your devices apart, e.g. `Firefox on my laptop`; kept when omitted on renewal",
        examples: ["Firefox on my laptop"]
      }
    })
  )
}).annotate({
  identifier: "RegisterPushSubscriptionPayload",
  description: "A browser's push subscription: its endpoint and keys"
})

/** One device that receives your notifications by web push. */
export class PushSubscription extends Schema.Class<PushSubscription>("PushSubscription")(
  {
    id: PushSubscriptionId,
    endpoint: Schema.String.annotate({ description: "The push service URL of the device" }),
    deviceName: Schema.NullOr(Schema.String),
    createdAt: Timestamp
  },
  { description: "A device that receives your notifications by web push" }
) {}

export const PushPublicKey = Schema.Struct({
  publicKey: Schema.String.annotate({
    description:
      "The server's VAPID public key (uncompressed P-256, base64url): pass it, decoded to bytes, as `applicationServerKey` to `pushManager.subscribe`"
  })
}).annotate({ identifier: "PushPublicKey", description: "What a browser subscribes to this server's pushes with" })

export class PushSubscriptionNotFound extends Schema.TaggedError<PushSubscriptionNotFound>()(
  "PushSubscriptionNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "PushSubscriptionNotFound", description: "No such push subscription of yours" }
) {}

/**
 * This server sends no web push (a production server without VAPID keys). 404, not 503: the
 * feature is absent from this deployment, not briefly down, so a client hides its push settings
 * instead of retrying.
 */
export class PushNotConfigured extends Schema.TaggedError<PushNotConfigured>()(
  "PushNotConfigured",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "PushNotConfigured", description: "This server does not send web push" }
) {}

/** The endpoint is not on a push service the server sends to (it never posts to arbitrary URLs). */
export class PushEndpointRefused extends Schema.TaggedError<PushEndpointRefused>()(
  "PushEndpointRefused",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "PushEndpointRefused",
    description: "The endpoint is not an https URL of a push service this server allows"
  }
) {}
