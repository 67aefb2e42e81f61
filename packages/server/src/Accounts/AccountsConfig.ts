import { Config, Context, Duration, Effect, Layer } from "effect"

/** Token lifetimes of accounts, and whether site admins must use two-factor authentication, from the environment. */
export class AccountsConfig extends Context.Service<
  AccountsConfig,
  {
    readonly accessTokenTtl: Duration.Duration
    readonly refreshTokenTtl: Duration.Duration
    readonly verificationTokenTtl: Duration.Duration
    readonly resetTokenTtl: Duration.Duration
    /** `REQUIRE_2FA_FOR_ADMINS`: a site admin without two-factor authentication cannot use admin operations. */
    readonly requireSecondFactorForAdmins: boolean
  }
>()("@moim/server/Accounts/AccountsConfig") {
  static readonly layer = Layer.effect(
    AccountsConfig,
    Effect.gen(function* () {
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
        requireSecondFactorForAdmins: yield* Config.Boolean("REQUIRE_2FA_FOR_ADMINS").pipe(Config.withDefault(false))
      })
    })
  )
}
