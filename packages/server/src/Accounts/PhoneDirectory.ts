import { createHmac } from "node:crypto"
import type { UserId } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer } from "effect"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { PhoneNumbersRepo } from "./PhoneNumbersRepo.ts"

/**
 * Verified numbers by keyed hash, for matching people's contacts without handling their numbers:
 * `hash(e164)` is HMAC-SHA256 under the key derived from `MOIM_SECRET` for "phone-contacts", in
 * hex, stored beside each verified number. Rotating `MOIM_SECRET` changes every hash (the stored
 * ones would need recomputing from the numbers).
 */
export class PhoneDirectory extends Context.Service<
  PhoneDirectory,
  {
    readonly hash: (e164: string) => string
    /** The active accounts whose verified numbers have these hashes (unknown hashes are left out). */
    readonly findByHashes: (
      hashes: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlyArray<{ readonly userId: UserId; readonly hash: string }>>
  }
>()("@moim/server/Accounts/PhoneDirectory") {
  static readonly layer = Layer.effect(
    PhoneDirectory,
    Effect.gen(function* () {
      const key = (yield* ServerSecret).derive("phone-contacts")
      const phones = yield* PhoneNumbersRepo
      return PhoneDirectory.of({
        hash: (e164) => createHmac("sha256", key).update(e164).digest("hex"),
        findByHashes: Effect.fn("PhoneDirectory.findByHashes")(function* (hashes) {
          const rows = yield* phones.findByContactHashes([...new Set(hashes)])
          return rows.map((row) => ({ userId: row.userId, hash: row.contactHash }))
        })
      })
    })
  )
}
