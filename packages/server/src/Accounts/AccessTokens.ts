import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId } from "@moim/domain/Accounts/User"
import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import { Clock, Context, DateTime, Effect, Layer, Schema } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"
import { setBounded } from "../platform/BoundedMap.ts"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { AccountsConfig } from "./AccountsConfig.ts"

const Claims = Schema.Struct({ sub: UserId, sid: SessionId, exp: Schema.Number })
const decodeClaims = Schema.decodeUnknownEffect(Claims)

const verifiedCapacity = 10_000

/** The clock skew accepted on a token's expiry, in seconds. */
const clockToleranceSeconds = 5

interface Verified {
  readonly userId: UserId
  readonly sessionId: SessionId
  /** Seconds since the epoch, as in the token. */
  readonly exp: number
}

/**
 * Short-lived access tokens: HS256 JWTs naming the user and the device session, signed with a key
 * derived from `MOIM_SECRET`. The session is still checked on every request, so a revoked session or
 * a suspended user is refused before the token expires.
 *
 * A token that verified is remembered until it expires (the last `verifiedCapacity` of them, the
 * oldest dropped first): the same string always verifies the same way, so its next requests skip
 * the signature check, which through WebCrypto was about 6% of the processor time of a signed-in
 * read. Expiry is still checked on every use.
 */
export class AccessTokens extends Context.Service<
  AccessTokens,
  {
    readonly issue: (
      userId: UserId,
      sessionId: SessionId
    ) => Effect.Effect<{ readonly token: string; readonly expiresAt: DateTime.Utc }>
    readonly verify: (
      token: string
    ) => Effect.Effect<{ readonly userId: UserId; readonly sessionId: SessionId }, Unauthorized>
  }
>()("@moim/server/Accounts/AccessTokens") {
  static readonly layer = Layer.effect(
    AccessTokens,
    Effect.gen(function* () {
      // Imported once: handing jose raw bytes would import the key into WebCrypto on every call.
      const rawKey = (yield* ServerSecret).derive("jwt-access-token")
      const key = yield* Effect.promise(() =>
        crypto.subtle.importKey("raw", rawKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"])
      )
      const config = yield* AccountsConfig
      const issuer = "moim"

      const issue = Effect.fn("AccessTokens.issue")(function* (userId: UserId, sessionId: SessionId) {
        const now = yield* DateTime.now
        const expiresAt = DateTime.addDuration(now, config.accessTokenTtl)
        const token = yield* Effect.promise(() =>
          new SignJWT({ sid: sessionId })
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .setSubject(userId)
            .setIssuer(issuer)
            .setAudience(issuer)
            .setIssuedAt(Math.floor(DateTime.toEpochMillis(now) / 1000))
            .setExpirationTime(Math.floor(DateTime.toEpochMillis(expiresAt) / 1000))
            .sign(key)
        )
        return { token, expiresAt }
      })

      const verified = new Map<string, Verified>()

      const check = (token: string, nowMillis: number) =>
        Effect.tryPromise({
          try: () =>
            jwtVerify(token, key, {
              algorithms: ["HS256"],
              issuer,
              audience: issuer,
              currentDate: new Date(nowMillis),
              clockTolerance: clockToleranceSeconds
            }),
          catch: (error) =>
            new Unauthorized({
              message:
                error instanceof errors.JWTExpired
                  ? "The access token has expired; refresh it"
                  : "The access token is invalid"
            })
        }).pipe(
          Effect.flatMap(({ payload }) =>
            decodeClaims(payload).pipe(
              Effect.mapError(() => new Unauthorized({ message: "The access token is invalid" }))
            )
          ),
          Effect.map((claims) => {
            setBounded(verified, verifiedCapacity, token, {
              userId: claims.sub,
              sessionId: claims.sid,
              exp: claims.exp
            })
            return { userId: claims.sub, sessionId: claims.sid }
          }),
          Effect.withSpan("AccessTokens.verify")
        )

      const verify = (token: string) =>
        Effect.flatMap(Clock.currentTimeMillis, (nowMillis) => {
          const known = verified.get(token)
          if (known === undefined) return check(token, nowMillis)
          if (nowMillis / 1000 < known.exp + clockToleranceSeconds) {
            return Effect.succeed({ userId: known.userId, sessionId: known.sessionId })
          }
          // Expired since it was remembered: jose refuses it, with its own message.
          verified.delete(token)
          return check(token, nowMillis)
        })

      return AccessTokens.of({ issue, verify })
    })
  )
}
