import { Duration, Effect } from "effect"
import { inBatches, purgeBatchSize, Retention, retentionSeconds } from "../platform/Purge.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { EmailTokensRepo } from "./EmailTokensRepo.ts"
import { PhoneCodesRepo } from "./PhoneCodesRepo.ts"
import { SessionsRepo } from "./SessionsRepo.ts"
import { TwoFactorRepo } from "./TwoFactorRepo.ts"

/** Expired email tokens and texted codes are kept a day, so a late click is told "expired" at least that long. */
const codeGrace = Duration.days(1)

/**
 * The `PurgeExpiredCredentials` cron's work: sessions that expired or were ended more than
 * `SESSION_RETENTION` ago with their refresh tokens, refresh tokens spent longer ago than a refresh
 * token lives (their reuse is no longer worth recognising), email tokens and texted codes a day
 * past their expiry (or use), and second-factor sign-in challenges a day past theirs. What it
 * removed, by kind.
 */
export const purgeExpiredCredentials = Effect.gen(function* () {
  const sessions = yield* SessionsRepo
  const emailTokens = yield* EmailTokensRepo
  const phoneCodes = yield* PhoneCodesRepo
  const twoFactor = yield* TwoFactorRepo
  const config = yield* AccountsConfig
  const retention = retentionSeconds(yield* Retention.sessions)
  const spentSeconds = retentionSeconds(config.refreshTokenTtl)
  let ended = { sessions: 0, refreshTokens: 0 }
  while (true) {
    const step = yield* sessions.purgeEnded({ retentionSeconds: retention, spentSeconds, limit: purgeBatchSize })
    ended = { sessions: ended.sessions + step.sessions, refreshTokens: ended.refreshTokens + step.refreshTokens }
    if (step.sessions < purgeBatchSize && step.refreshTokens < purgeBatchSize) break
  }
  const grace = retentionSeconds(codeGrace)
  const emailTokensRemoved = yield* inBatches(emailTokens.purgeExpired(grace, purgeBatchSize))
  const phoneCodesRemoved = yield* inBatches(phoneCodes.purgeExpired(grace, purgeBatchSize))
  const challengesRemoved = yield* inBatches(twoFactor.purgeExpiredChallenges(grace, purgeBatchSize))
  return {
    ...ended,
    emailTokens: emailTokensRemoved,
    phoneCodes: phoneCodesRemoved,
    secondFactorChallenges: challengesRemoved
  }
}).pipe(Effect.withSpan("purgeExpiredCredentials"))
