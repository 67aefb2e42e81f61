import { Duration } from "effect"

/** A texted code as the rules see it: when it was sent, until when it works, and how often it was tried. */
export interface CodeState {
  readonly sentAt: Date
  readonly expiresAt: Date
  readonly attempts: number
}

/** What one try with a code comes to. */
export type Attempt =
  | { readonly _tag: "Accepted" }
  | { readonly _tag: "Wrong"; readonly attemptsLeft: number }
  /** Expired, or every try used up: only a new code helps. */
  | { readonly _tag: "Dead" }

const ttl = Duration.minutes(10)
const resendCooldown = Duration.seconds(60)
const maxAttempts = 5

/**
 * The rules of texted codes, in one pure place: a code works for 10 minutes and 5 tries, and a new
 * one for the same number (or account) can be sent 60 seconds after the last. Times come from the
 * caller's `Clock`, so tests move them with the TestClock.
 */
export const PhoneCodePolicy = {
  ttl,
  resendCooldown,
  maxAttempts,

  /** Until when a code sent at `now` works. */
  expiresAt: (now: Date): Date => new Date(now.getTime() + Duration.toMillis(ttl)),

  /** When the next code may be sent, after one sent at `sentAt`. */
  resendAfter: (sentAt: Date): Date => new Date(sentAt.getTime() + Duration.toMillis(resendCooldown)),

  /** A code sent at or before this instant no longer holds back a new one. */
  cooldownSince: (now: Date): Date => new Date(now.getTime() - Duration.toMillis(resendCooldown)),

  /** How long until a new code may be sent, after the last one (zero when it may now). */
  resendWait: (last: CodeState, now: Date): Duration.Duration =>
    Duration.millis(Math.max(0, PhoneCodePolicy.resendAfter(last.sentAt).getTime() - now.getTime())),

  /** A try with `code`, whose correctness the caller checked (`matches`). */
  attempt: (code: CodeState, matches: boolean, now: Date): Attempt => {
    if (now.getTime() >= code.expiresAt.getTime() || code.attempts >= maxAttempts) return { _tag: "Dead" }
    if (matches) return { _tag: "Accepted" }
    return { _tag: "Wrong", attemptsLeft: maxAttempts - code.attempts - 1 }
  }
}
