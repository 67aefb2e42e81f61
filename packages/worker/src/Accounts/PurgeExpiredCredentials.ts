import { PurgeExpiredCredentials } from "@moim/domain/Accounts/PurgeExpiredCredentials"
import { AccountsConfig } from "@moim/server/Accounts/AccountsConfig"
import { purgeExpiredCredentials } from "@moim/server/Accounts/CredentialsPurge"
import { EmailTokensRepo } from "@moim/server/Accounts/EmailTokensRepo"
import { PhoneCodesRepo } from "@moim/server/Accounts/PhoneCodesRepo"
import { SessionCache } from "@moim/server/Accounts/SessionCache"
import { SessionsRepo } from "@moim/server/Accounts/SessionsRepo"
import { TwoFactorRepo } from "@moim/server/Accounts/TwoFactorRepo"
import { Effect, Layer } from "effect"
import * as JobHandler from "../JobHandler.ts"

/**
 * Hourly at :07 (cron): ended sessions and their refresh tokens, expired email tokens, texted codes
 * and second-factor challenges.
 */
export const PurgeExpiredCredentialsHandler = JobHandler.make(
  PurgeExpiredCredentials,
  () =>
    Effect.gen(function* () {
      const removed = yield* purgeExpiredCredentials
      yield* Effect.logInfo("purged expired credentials").pipe(Effect.annotateLogs(removed))
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          SessionsRepo.layer,
          EmailTokensRepo.layer,
          PhoneCodesRepo.layer,
          TwoFactorRepo.layer,
          AccountsConfig.layer
        ).pipe(Layer.provide(SessionCache.layer))
      )
    ),
  { schedule: "7 * * * *" }
)
