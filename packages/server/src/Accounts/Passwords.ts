import { hash, verify } from "@node-rs/argon2"
import { Context, Effect, Layer } from "effect"

/**
 * argon2id with OWASP's recommended minimum (19 MiB of memory, 2 passes, 1 lane). Hashing runs on
 * libuv's thread pool, off the event loop.
 */
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export class Passwords extends Context.Service<
  Passwords,
  {
    readonly hash: (password: string) => Effect.Effect<string>
    readonly verify: (passwordHash: string | null, password: string) => Effect.Effect<boolean>
  }
>()("@moim/server/Accounts/Passwords") {
  static readonly layer = Layer.effect(
    Passwords,
    Effect.gen(function* () {
      // Checking a password against this hash when no account matches keeps a wrong email as slow
      // as a wrong password, so response times do not reveal which emails have accounts.
      const decoy = yield* Effect.promise(() => hash("moim-decoy-password", options))
      return Passwords.of({
        hash: (password) => Effect.promise(() => hash(password, options)).pipe(Effect.withSpan("Passwords.hash")),
        verify: (passwordHash, password) =>
          Effect.promise(() => verify(passwordHash ?? decoy, password).catch(() => false)).pipe(
            Effect.map((matches) => matches && passwordHash !== null),
            Effect.withSpan("Passwords.verify")
          )
      })
    })
  )
}
