import { createHmac, randomInt, timingSafeEqual } from "node:crypto"
import { IncorrectPhoneCode, PhoneCodeExpired, PhoneCodeSent, SmsNotSent } from "@moim/domain/Accounts/Phone"
import { RateLimited } from "@moim/domain/Kit/RateLimited"
import { Clock, Context, DateTime, Duration, Effect, Layer, Option, Result } from "effect"
import { SecureRandom } from "effect/crypto"
import { AppConfig } from "../platform/AppConfig.ts"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { Sms } from "../platform/Sms.ts"
import { Transaction } from "../platform/Transaction.ts"
import { PhoneCodePolicy } from "./PhoneCodePolicy.ts"
import { type PhoneCodeKey, type PhoneCodeRow, PhoneCodesRepo } from "./PhoneCodesRepo.ts"

const currentDate = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis))

/**
 * Texted codes, for signing in by phone and for adding a number: six random digits, stored only as
 * an HMAC bound to the code's row, valid for 10 minutes and 5 tries, one per 60 seconds per number
 * (signing in) or account (adding). The rules are `PhoneCodePolicy`'s.
 */
export class PhoneCodes extends Context.Service<
  PhoneCodes,
  {
    /**
     * Texts a new code, replacing the key's last one. `RateLimited` within 60 seconds of the last;
     * `SmsNotSent` when the text could not be sent, and then nothing is kept (asking again works at once).
     */
    readonly send: (key: PhoneCodeKey, e164: string) => Effect.Effect<PhoneCodeSent, RateLimited | SmsNotSent>
    /**
     * Tries `code` against the key's live code, inside the caller's transaction: the code's row when
     * it is right (locked until the transaction ends), else the refusal. A wrong code counts a try;
     * the refusal is returned rather than failed so that the transaction commits the count.
     */
    readonly verify: (
      key: PhoneCodeKey,
      code: string
    ) => Effect.Effect<Result.Result<PhoneCodeRow, IncorrectPhoneCode | PhoneCodeExpired>>
    /** Uses the code up; inside the caller's transaction. */
    readonly consume: (code: PhoneCodeRow) => Effect.Effect<void>
  }
>()("@moim/server/Accounts/PhoneCodes") {
  static readonly layer = Layer.effect(
    PhoneCodes,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const codes = yield* PhoneCodesRepo
      const sms = yield* Sms
      const key = (yield* ServerSecret).derive("phone-codes")
      const { appUrl } = yield* AppConfig
      // WebOTP (and Android's SMS Retriever) read the code from this last line and offer it to the app's origin.
      const originBound = `@${new URL(appUrl).host}`

      const hash = (id: string, code: string) => createHmac("sha256", key).update(`${id}:${code}`).digest()

      const text = (code: string) =>
        `Your Moim code: ${code}\nIt works for 10 minutes. Never share it; Moim will not ask you for it.\n\n${originBound} #${code}`

      return PhoneCodes.of({
        send: Effect.fn("PhoneCodes.send")(function* (codeKey, e164) {
          const now = yield* currentDate
          const id = SecureRandom.uuidV7Unsafe()
          const code = String(randomInt(0, 1_000_000)).padStart(6, "0")
          const stored = yield* transaction(
            Effect.gen(function* () {
              yield* codes.removeExpired(now)
              return yield* codes.replace({
                id,
                key: codeKey,
                e164,
                codeHash: hash(id, code).toString("hex"),
                sentAt: now,
                expiresAt: PhoneCodePolicy.expiresAt(now),
                cooldownSince: PhoneCodePolicy.cooldownSince(now)
              })
            })
          )
          if (Option.isNone(stored)) {
            const last = yield* codes.find(codeKey)
            const wait = Option.match(last, {
              onNone: () => PhoneCodePolicy.resendCooldown,
              onSome: (row) => PhoneCodePolicy.resendWait(row, now)
            })
            const retryAfterSeconds = Math.max(1, Math.ceil(Duration.toSeconds(wait)))
            return yield* new RateLimited({
              message: `A code was texted less than a minute ago; ask for another in ${retryAfterSeconds} s`,
              retryAfterSeconds
            })
          }
          // Sent after the code is stored and outside the transaction, which must not wait on the
          // provider; if it fails, the code is dropped so that asking again is not held back.
          yield* sms.send({ to: e164, body: text(code) }).pipe(
            Effect.tapError((error) =>
              Effect.logWarning("A code could not be texted", error.message).pipe(
                Effect.annotateLogs({ retryable: error.retryable, status: error.status ?? null })
              )
            ),
            Effect.catch(() =>
              Effect.andThen(
                codes.remove(id),
                Effect.fail(new SmsNotSent({ message: "The code could not be texted right now; try again later" }))
              )
            )
          )
          return new PhoneCodeSent({
            phoneNumber: e164,
            expiresAt: DateTime.fromDateUnsafe(stored.value.expiresAt),
            resendAfter: DateTime.fromDateUnsafe(PhoneCodePolicy.resendAfter(stored.value.sentAt))
          })
        }),

        verify: Effect.fn("PhoneCodes.verify")(function* (codeKey, code) {
          const now = yield* currentDate
          const row = yield* codes.lock(codeKey)
          const expired = new PhoneCodeExpired({
            message: "There is no live code for this number: ask for a new one"
          })
          if (Option.isNone(row)) return Result.fail(expired)
          const matches = timingSafeEqual(hash(row.value.id, code), Buffer.from(row.value.codeHash, "hex"))
          const attempt = PhoneCodePolicy.attempt(row.value, matches, now)
          switch (attempt._tag) {
            case "Accepted":
              return Result.succeed(row.value)
            case "Dead":
              return Result.fail(expired)
            case "Wrong":
              yield* codes.countAttempt(row.value.id)
              return Result.fail(
                new IncorrectPhoneCode({
                  message:
                    attempt.attemptsLeft > 0
                      ? `Wrong code; ${attempt.attemptsLeft} tries left`
                      : "Wrong code, and that was the last try: ask for a new one",
                  attemptsLeft: attempt.attemptsLeft
                })
              )
          }
        }),

        consume: (row) => codes.remove(row.id)
      })
    })
  )
}
