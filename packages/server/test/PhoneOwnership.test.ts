import { assert, layer } from "@effect/vitest"
import { SessionId } from "@moim/domain/Accounts/Session"
import { Effect, Layer } from "effect"
import { AccountsLive } from "../src/Accounts/AccountsLive.ts"
import { EmailOwnership } from "../src/Accounts/EmailOwnership.ts"
import { PhoneDirectory } from "../src/Accounts/PhoneDirectory.ts"
import { PhoneNumbers } from "../src/Accounts/PhoneNumbers.ts"
import { PhoneOwnership } from "../src/Accounts/PhoneOwnership.ts"
import { PhoneSignIn } from "../src/Accounts/PhoneSignIn.ts"
import { expectSession } from "./support/SignIn.ts"
import { freshPhone, latestCode } from "./support/SmsOutbox.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv()
const dataDir = env.MOIM_DATA_DIR ?? ""
const client = { ip: null, userAgent: null }

/** What the port was told, by a feature that listens (as the contacts sync does). */
const proven: Array<{ readonly userId: string; readonly e164: string; readonly contactHash: string }> = []
const listening = Layer.succeed(PhoneOwnership)({
  proven: (userId, number) => Effect.sync(() => void proven.push({ userId, ...number }))
})

/** The accounts services alone, on this file's database, with the listener in place of the features'. */
const AccountsWithListener = AccountsLive.pipe(
  Layer.provide([EmailOwnership.none, listening]),
  Layer.provideMerge(TestServer.platformLayer(env))
)

layer(AccountsWithListener, { excludeTestServices: true, timeout: "60 seconds" })("PhoneOwnership", (it) => {
  it.effect("is told once of each number newly verified, with its contact hash", () =>
    Effect.gen(function* () {
      const signIn = yield* PhoneSignIn
      const numbers = yield* PhoneNumbers
      const directory = yield* PhoneDirectory

      const first = freshPhone()
      yield* signIn.requestCode(first)
      const signedUp = yield* signIn.signIn(
        { e164: first, code: yield* latestCode(dataDir, first), nickname: "Told" },
        client
      )
      const userId = expectSession(signedUp).user.id
      assert.deepStrictEqual(proven, [{ userId, e164: first, contactHash: directory.hash(first) }])

      // Signing in again with the number it holds tells nobody.
      yield* signIn.requestCode(first)
      yield* signIn.signIn({ e164: first, code: yield* latestCode(dataDir, first) }, client)
      assert.strictEqual(proven.length, 1)

      const actor = { userId, sessionId: SessionId.make("0195f4c2-7b1e-7c3a-9a59-7d1c2b3a4f5e"), role: "user" as const }
      const second = freshPhone()
      yield* numbers.add(actor, second)
      yield* numbers.verify(actor, yield* latestCode(dataDir, second))
      // Verifying the number it already holds tells nobody again.
      yield* numbers.add(actor, second)
      yield* numbers.verify(actor, yield* latestCode(dataDir, second))
      assert.deepStrictEqual(
        proven.map((entry) => entry.e164),
        [first, second]
      )
    })
  )
})
