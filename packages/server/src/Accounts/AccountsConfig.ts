import { Config, Context, Duration, Effect, Layer } from "effect"
import { AppConfig } from "../platform/AppConfig.ts"

/** Token lifetimes, links and rate limits of accounts, from the environment. */
export class AccountsConfig extends Context.Service<
  AccountsConfig,
  {
    readonly accessTokenTtl: Duration.Duration
    readonly refreshTokenTtl: Duration.Duration
    readonly verificationTokenTtl: Duration.Duration
    readonly resetTokenTtl: Duration.Duration
    /** Where the app's pages live; emailed links point there (`/verify-email`, `/reset-password`). */
    readonly appUrl: string
    /** Signup, login and password reset: per client address and per email address, per window. */
    readonly authRateLimit: number
    /** Every other request: per signed-in user (or client address when anonymous), per window. */
    readonly userRateLimit: number
    readonly rateLimitWindow: Duration.Duration
  }
>()("@moim/server/Accounts/AccountsConfig") {
  static readonly layer = Layer.effect(
    AccountsConfig,
    Effect.gen(function* () {
      const app = yield* AppConfig
      const seconds = (name: string, fallback: number) =>
        Config.Int(name).pipe(
          Config.withDefault(fallback),
          Config.map((value) => Duration.seconds(value))
        )
      return AccountsConfig.of({
        accessTokenTtl: yield* seconds("AUTH_ACCESS_TOKEN_TTL", 15 * 60),
        refreshTokenTtl: yield* seconds("AUTH_REFRESH_TOKEN_TTL", 30 * 24 * 60 * 60),
        verificationTokenTtl: Duration.days(2),
        resetTokenTtl: Duration.hours(1),
        appUrl: yield* Config.URL("MOIM_APP_URL").pipe(
          Config.map((url) => url.toString().replace(/\/$/, "")),
          Config.withDefault(app.publicUrl)
        ),
        authRateLimit: yield* Config.Int("RATE_LIMIT_AUTH").pipe(Config.withDefault(5)),
        userRateLimit: yield* Config.Int("RATE_LIMIT_USER").pipe(Config.withDefault(100)),
        rateLimitWindow: yield* Config.Duration("RATE_LIMIT_WINDOW").pipe(Config.withDefault(Duration.minutes(1)))
      })
    })
  )
}
