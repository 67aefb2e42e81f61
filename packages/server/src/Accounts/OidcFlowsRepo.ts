import { UserId } from "@moim/domain/Accounts/User"
import type { Option } from "effect"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** A sign-in or link waiting for the provider's callback. */
export const StateRow = Schema.Struct({
  provider: Schema.String,
  nonce: Schema.String,
  codeVerifier: Schema.String,
  redirectUri: Schema.String,
  userId: Schema.NullOr(UserId),
  expiresAt: Schema.Date
})
export type StateRow = typeof StateRow.Type

/** What a callback proved, waiting for the app's one-time code. */
export const CodeRow = Schema.Struct({
  provider: Schema.String,
  subject: Schema.String,
  email: Schema.NullOr(Schema.String),
  emailVerified: Schema.Boolean,
  name: Schema.NullOr(Schema.String),
  userId: Schema.NullOr(UserId),
  expiresAt: Schema.Date
})
export type CodeRow = typeof CodeRow.Type

const decodeState = Rows.first(StateRow)
const decodeCode = Rows.first(CodeRow)

/**
 * The `oidc_states` and `oidc_codes` tables: the short-lived halves of a provider sign-in. Each is
 * spent by one `DELETE ... RETURNING`, so of two requests with the same state or code, one gets it.
 * Expired rows are cleared whenever new ones are written.
 */
export class OidcFlowsRepo extends Context.Service<
  OidcFlowsRepo,
  {
    readonly insertState: (state: StateRow & { readonly stateHash: string }, now: Date) => Effect.Effect<void>
    /** Removes the state and answers it, whether or not it expired; none when unknown or spent. */
    readonly spendState: (stateHash: string) => Effect.Effect<Option.Option<StateRow>>
    readonly insertCode: (code: CodeRow & { readonly codeHash: string }, now: Date) => Effect.Effect<void>
    /** Removes the code and answers it, whether or not it expired; none when unknown or spent. */
    readonly spendCode: (codeHash: string) => Effect.Effect<Option.Option<CodeRow>>
    readonly removeForUser: (userId: UserId) => Effect.Effect<void>
  }
>()("@moim/server/Accounts/OidcFlowsRepo") {
  static readonly layer = Layer.effect(
    OidcFlowsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return OidcFlowsRepo.of({
        insertState: Effect.fn("OidcFlowsRepo.insertState")(function* (state, now) {
          yield* sql`DELETE FROM oidc_states WHERE expires_at < ${now}`
          yield* sql`
            INSERT INTO oidc_states (state_hash, provider, nonce, code_verifier, redirect_uri, user_id, expires_at)
            VALUES (${state.stateHash}, ${state.provider}, ${state.nonce}, ${state.codeVerifier},
                    ${state.redirectUri}, ${state.userId}, ${state.expiresAt})`
        }, Effect.orDie),

        spendState: Effect.fn("OidcFlowsRepo.spendState")(function* (stateHash) {
          return yield* sql`
            DELETE FROM oidc_states WHERE state_hash = ${stateHash}
            RETURNING provider, nonce, code_verifier, redirect_uri, user_id, expires_at`.pipe(
            Effect.flatMap(decodeState)
          )
        }, Effect.orDie),

        insertCode: Effect.fn("OidcFlowsRepo.insertCode")(function* (code, now) {
          yield* sql`DELETE FROM oidc_codes WHERE expires_at < ${now}`
          yield* sql`
            INSERT INTO oidc_codes (code_hash, provider, subject, email, email_verified, name, user_id, expires_at)
            VALUES (${code.codeHash}, ${code.provider}, ${code.subject}, ${code.email}, ${code.emailVerified},
                    ${code.name}, ${code.userId}, ${code.expiresAt})`
        }, Effect.orDie),

        spendCode: Effect.fn("OidcFlowsRepo.spendCode")(function* (codeHash) {
          return yield* sql`
            DELETE FROM oidc_codes WHERE code_hash = ${codeHash}
            RETURNING provider, subject, email, email_verified, name, user_id, expires_at`.pipe(
            Effect.flatMap(decodeCode)
          )
        }, Effect.orDie),

        removeForUser: Effect.fn("OidcFlowsRepo.removeForUser")(function* (userId) {
          yield* sql`DELETE FROM oidc_states WHERE user_id = ${userId}`
          yield* sql`DELETE FROM oidc_codes WHERE user_id = ${userId}`
        }, Effect.orDie)
      })
    })
  )
}
