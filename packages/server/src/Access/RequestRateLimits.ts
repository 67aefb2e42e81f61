import { RateLimited } from "@moim/domain/Kit/RateLimited"
import { Config, Context, Duration, Effect, Layer } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { RateLimit, type RateLimitDecision } from "../platform/RateLimit.ts"

/**
 * The request rate limits, one module for every surface: every request counts per signed-in user,
 * or per client address when anonymous (`RATE_LIMIT_USER` per window); signing up, signing in and
 * password resets also count per address and per email address (`RATE_LIMIT_AUTH`), starting and
 * finishing OpenID sign-ins per address, texting codes
 * and signing in by phone per address and per phone number, and second-factor codes per address and
 * per account. A REST response carries `RateLimit-*`
 * headers, and a refusal `Retry-After`.
 */
export class RequestRateLimits extends Context.Service<
  RequestRateLimits,
  {
    readonly sensitive: (
      action: "signup" | "login" | "password-reset" | "phone-code" | "phone-sign-in" | "second-factor" | "oidc-sign-in",
      subjects: {
        readonly ip: string | null
        readonly email?: string | undefined
        /** The account a second-factor code is tried for. */
        readonly userId?: string | undefined
        /** In E.164. */
        readonly phone?: string | undefined
      }
    ) => Effect.Effect<void, RateLimited>
    /**
     * Sends `Retry-After` with a `RateLimited` that `effect` fails with on its own (a code asked for
     * again too soon), as with the limits above.
     */
    readonly withRetryAfter: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    readonly general: (
      subject: { readonly userId: string } | { readonly ip: string | null }
    ) => Effect.Effect<void, RateLimited>
  }
>()("@moim/server/Access/RequestRateLimits") {
  static readonly layer = Layer.effect(
    RequestRateLimits,
    Effect.gen(function* () {
      const rateLimit = yield* RateLimit
      const authRateLimit = yield* Config.Int("RATE_LIMIT_AUTH").pipe(Config.withDefault(5))
      const userRateLimit = yield* Config.Int("RATE_LIMIT_USER").pipe(Config.withDefault(100))
      const window = yield* Config.Duration("RATE_LIMIT_WINDOW").pipe(Config.withDefault(Duration.minutes(1)))

      const enforce = (keys: ReadonlyArray<string>, limit: number) =>
        Effect.gen(function* () {
          const decisions = yield* Effect.forEach(keys, (key) => rateLimit.check({ key, limit, window }))
          const binding =
            decisions.find((decision) => !decision.allowed) ??
            decisions.reduce<RateLimitDecision | undefined>(
              (tightest, decision) =>
                tightest === undefined || decision.remaining < tightest.remaining ? decision : tightest,
              undefined
            )
          if (binding === undefined) return
          const context = yield* Effect.context<never>()
          HttpEffect.appendPreResponseHandlerUnsafe(context, (_request, response) =>
            Effect.succeed(HttpServerResponse.setHeaders(response, RateLimit.headers(binding)))
          )
          if (!binding.allowed) {
            const retryAfterSeconds = RateLimit.retryAfterSeconds(binding)
            return yield* new RateLimited({
              message: `Too many requests; try again in ${retryAfterSeconds} s`,
              retryAfterSeconds
            })
          }
        })

      return RequestRateLimits.of({
        sensitive: (action, subjects) =>
          enforce(
            [
              `${action}:ip:${subjects.ip ?? "unknown"}`,
              ...(subjects.email === undefined ? [] : [`${action}:email:${subjects.email}`]),
              ...(subjects.userId === undefined ? [] : [`${action}:user:${subjects.userId}`]),
              ...(subjects.phone === undefined ? [] : [`${action}:phone:${subjects.phone}`])
            ],
            authRateLimit
          ),
        withRetryAfter: (effect) =>
          Effect.tapError(effect, (error) =>
            error instanceof RateLimited
              ? Effect.flatMap(Effect.context<never>(), (context) =>
                  Effect.sync(() =>
                    HttpEffect.appendPreResponseHandlerUnsafe(context, (_request, response) =>
                      Effect.succeed(
                        HttpServerResponse.setHeader(response, "retry-after", String(error.retryAfterSeconds))
                      )
                    )
                  )
                )
              : Effect.void
          ),
        general: (subject) =>
          enforce(["userId" in subject ? `user:${subject.userId}` : `anon:${subject.ip ?? "unknown"}`], userRateLimit)
      })
    })
  )
}
