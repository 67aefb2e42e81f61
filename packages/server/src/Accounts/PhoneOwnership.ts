import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect } from "effect"

/** A number an account has just proven it holds: in E.164, and its contact hash (`PhoneDirectory.hash`). */
export interface ProvenNumber {
  readonly e164: string
  readonly contactHash: string
}

/**
 * Told inside the transaction that makes a number an account's verified number (signing up with it,
 * or adding it), and only when the number is new to the account, so that other features can react
 * in the same transaction: the contacts sync enqueues its job there ("someone you know joined").
 * Accounts declares it; until a feature implements it (`Layer.succeed(PhoneOwnership)(...)` in
 * `Features.ts`), nobody is told. It must not fail: what it does commits or rolls back with the
 * verification.
 */
export const PhoneOwnership = Context.Reference<{
  readonly proven: (userId: UserId, number: ProvenNumber) => Effect.Effect<void>
}>("@moim/server/Accounts/PhoneOwnership", { defaultValue: () => ({ proven: () => Effect.void }) })
