import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId } from "@moim/domain/Accounts/User"
import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import { Context, DateTime, Duration, Effect, Layer, Schema } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { AccountsConfig } from "./AccountsConfig.ts"

const Claims = Schema.Struct({ sub: UserId, sid: SessionId })
const decodeClaims = Schema.decodeUnknownEffect(Claims)

/**
 * Short-lived access tokens: HS256 JWTs naming the user and the device session, signed with a key
 * derived from `MOIM_SECRET`. The session is still checked on every request, so a revoked session or
 * a suspended user is refused before the token expires.
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

      const verify = (token: string) =>
        Effect.tryPromise({
          try: () =>
            jwtVerify(token, key, {
              algorithms: ["HS256"],
              issuer,
              audience: issuer,
              currentDate: new Date(),
              clockTolerance: Duration.toSeconds(Duration.seconds(5))
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
          Effect.map((claims) => ({ userId: claims.sub, sessionId: claims.sid })),
          Effect.withSpan("AccessTokens.verify")
        )

      return AccessTokens.of({ issue, verify })
    })
  )
}
