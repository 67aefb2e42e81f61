import { createHmac, timingSafeEqual } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { ServerSecret } from "../platform/ServerSecret.ts"

/** What an unsubscribe link stops: one user's emails of one kind, or (`type: null`, a digest's link) of every kind. */
export interface UnsubscribeClaim {
  readonly userId: UserId
  readonly type: string | null
}

const purpose = "notification-email-unsubscribe"
const version = "v1"
const channel = "email"
const decodeUserId = Schema.decodeUnknownOption(UserId)

const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url")

/**
 * The tokens of unsubscribe links: `<claim>.<HMAC-SHA256 of the claim>`, the claim being
 * `v1:<userId>:<type or *>:email` in base64url, signed with a key derived from `MOIM_SECRET` for this
 * purpose only. They do not expire (a link in an old email keeps working, as mail clients expect);
 * rotating `MOIM_SECRET` voids them all. A token can only turn emails off, never read anything.
 */
export class EmailUnsubscribeTokens extends Context.Service<
  EmailUnsubscribeTokens,
  {
    readonly sign: (claim: UnsubscribeClaim) => string
    /** The claim of a token this server signed; none for anything else (altered, truncated, foreign). */
    readonly verify: (token: string) => Option.Option<UnsubscribeClaim>
  }
>()("@moim/server/Notifications/EmailUnsubscribeTokens") {
  static readonly make = (key: Uint8Array<ArrayBuffer>) => {
    const mac = (claim: string) => createHmac("sha256", key).update(claim).digest()
    return EmailUnsubscribeTokens.of({
      sign: (claim) => {
        const text = `${version}:${claim.userId}:${claim.type ?? "*"}:${channel}`
        return `${base64url(text)}.${base64url(mac(text))}`
      },
      verify: (token) => {
        const [encoded, signature, ...rest] = token.split(".")
        if (encoded === undefined || signature === undefined || rest.length > 0) return Option.none()
        const text = Buffer.from(encoded, "base64url").toString("utf8")
        const given = Buffer.from(signature, "base64url")
        const expected = mac(text)
        // base64url decoding skips stray characters: only the canonical spelling counts.
        if (base64url(text) !== encoded || base64url(given) !== signature) return Option.none()
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return Option.none()
        const [tokenVersion, userId, type, tokenChannel, ...extra] = text.split(":")
        if (tokenVersion !== version || tokenChannel !== channel || type === undefined || extra.length > 0) {
          return Option.none()
        }
        return Option.map(decodeUserId(userId), (id) => ({ userId: id, type: type === "*" ? null : type }))
      }
    })
  }

  static readonly layer = Layer.effect(
    EmailUnsubscribeTokens,
    Effect.gen(function* () {
      const secret = yield* ServerSecret
      return EmailUnsubscribeTokens.make(secret.derive(purpose))
    })
  )
}
