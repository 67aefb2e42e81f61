import { RateLimited } from "@moim/domain/Kit/RateLimited"
import { Context, Effect, Layer } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { RateLimit, type RateLimitDecision } from "../platform/RateLimit.ts"
import { AccountsConfig } from "./AccountsConfig.ts"

/**
 * The account rate limits: signup, login and password reset per client address and per email
 * address (`RATE_LIMIT_AUTH` per window); every other request per signed-in user, or per address
 * when anonymous (`RATE_LIMIT_USER`). A REST response carries `RateLimit-*` headers, and a refusal
 * `Retry-After`.
 */
export class AccountRateLimits extends Context.Service<
  AccountRateLimits,
  {
    readonly sensitive: (
      action: "signup" | "login" | "password-reset",
      subjects: { readonly ip: string | null; readonly email?: string | undefined }
    ) => Effect.Effect<void, RateLimited>
    readonly general: (
      subject: { readonly userId: string } | { readonly ip: string | null }
    ) => Effect.Effect<void, RateLimited>
  }
>()("@moim/server/Accounts/AccountRateLimits") {
  static readonly layer = Layer.effect(
    AccountRateLimits,
    Effect.gen(function* () {
      const rateLimit = yield* RateLimit
      const config = yield* AccountsConfig

      const enforce = (keys: ReadonlyArray<string>, limit: number) =>
        Effect.gen(function* () {
          const decisions = yield* Effect.forEach(keys, (key) =>
            rateLimit.check({ key, limit, window: config.rateLimitWindow })
          )
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

      return AccountRateLimits.of({
        sensitive: (action, subjects) =>
          enforce(
            [
              `${action}:ip:${subjects.ip ?? "unknown"}`,
              ...(subjects.email === undefined ? [] : [`${action}:email:${subjects.email}`])
            ],
            config.authRateLimit
          ),
        general: (subject) =>
          enforce(
            ["userId" in subject ? `user:${subject.userId}` : `anon:${subject.ip ?? "unknown"}`],
            config.userRateLimit
          )
      })
    })
  )
}
