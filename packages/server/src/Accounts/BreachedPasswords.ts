import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { WeakPassword } from "@moim/domain/Accounts/AccountErrors"
import { Context, Effect, Layer } from "effect"
import { serverSourceDir } from "../platform/SourcePaths.ts"

const listPath = join(serverSourceDir, "Accounts", "BreachedPasswords.txt.gz")

/**
 * NIST 800-63B's check of new passwords against passwords from breaches: the 112,130 passwords of
 * 10 characters or more among the million most common of a public breach corpus, shipped with
 * Moim (no network call; see `BreachedPasswords.NOTICE.md`). Compared case-insensitively, since
 * changing the case of a listed password is among the first guesses of any cracking tool. The list
 * is read once, on the first password that needs checking, and kept as a set (about 10 MB).
 */
export class BreachedPasswords extends Context.Service<
  BreachedPasswords,
  {
    /** Refuses a password that is on the list (`WeakPassword`, 400). */
    readonly check: (password: string) => Effect.Effect<void, WeakPassword>
  }
>()("@moim/server/Accounts/BreachedPasswords") {
  static readonly layer = Layer.effect(
    BreachedPasswords,
    Effect.gen(function* () {
      const list = yield* Effect.cached(
        Effect.promise(() => readFile(listPath)).pipe(
          Effect.map((compressed) => new Set(gunzipSync(compressed).toString("utf8").split("\n"))),
          Effect.withSpan("BreachedPasswords.load")
        )
      )
      return BreachedPasswords.of({
        check: Effect.fn("BreachedPasswords.check")(function* (password) {
          const breached = yield* list
          if (breached.has(password.toLowerCase())) {
            return yield* new WeakPassword({
              message:
                "This password is among the most common passwords found in data breaches, so it would be guessed quickly; choose another",
              reason: "breached"
            })
          }
        })
      })
    })
  )
}
