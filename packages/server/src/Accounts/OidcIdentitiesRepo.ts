import { IdentityId } from "@moim/domain/Accounts/Oidc"
import { UserId, UserStatus } from "@moim/domain/Accounts/User"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** A row of `oidc_identities`. */
export const IdentityRow = Schema.Struct({
  id: IdentityId,
  userId: UserId,
  provider: Schema.String,
  subject: Schema.String,
  email: Schema.NullOr(Schema.String),
  createdAt: Schema.Date,
  lastUsedAt: Schema.NullOr(Schema.Date)
})
export type IdentityRow = typeof IdentityRow.Type

/** Whose a provider identity is, and whether they may sign in. */
const HolderRow = Schema.Struct({ id: IdentityId, userId: UserId, status: UserStatus })

const decodeIdentity = Rows.first(IdentityRow)
const decodeIdentities = Rows.all(IdentityRow)
const decodeHolder = Rows.first(HolderRow)
const decodeCount = Rows.first(Schema.Struct({ count: Schema.Int }))

/** The `oidc_identities` table: provider accounts (issuer `sub`s) that sign in to Moim accounts, one account each. */
export class OidcIdentitiesRepo extends Context.Service<
  OidcIdentitiesRepo,
  {
    /** The account this provider identity signs in to (deleted accounts hold none). */
    readonly findHolder: (
      provider: string,
      subject: string
    ) => Effect.Effect<Option.Option<{ readonly id: IdentityId; readonly userId: UserId; readonly status: UserStatus }>>
    /**
     * Links the identity to the user: `linked` (with the row), `held` when it already was theirs, or
     * `taken` when another account holds it. Of two accounts linking one identity at once, one gets it.
     */
    readonly link: (identity: {
      readonly id: IdentityId
      readonly userId: UserId
      readonly provider: string
      readonly subject: string
      readonly email: string | null
      readonly now: Date
    }) => Effect.Effect<
      | { readonly _tag: "linked"; readonly row: IdentityRow }
      | { readonly _tag: "held"; readonly row: IdentityRow }
      | { readonly _tag: "taken" }
    >
    readonly touch: (id: IdentityId, now: Date) => Effect.Effect<void>
    /** The user's identities, oldest first. */
    readonly listByUser: (userId: UserId) => Effect.Effect<ReadonlyArray<IdentityRow>>
    readonly countByUser: (userId: UserId) => Effect.Effect<number>
    /** False when the user had no identity with this id. */
    readonly remove: (userId: UserId, id: IdentityId) => Effect.Effect<boolean>
    readonly removeForUser: (userId: UserId) => Effect.Effect<void>
  }
>()("@moim/server/Accounts/OidcIdentitiesRepo") {
  static readonly layer = Layer.effect(
    OidcIdentitiesRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const findRow = (provider: string, subject: string) =>
        sql`SELECT * FROM oidc_identities WHERE provider = ${provider} AND subject = ${subject}`.pipe(
          Effect.flatMap(decodeIdentity)
        )

      return OidcIdentitiesRepo.of({
        findHolder: Effect.fn("OidcIdentitiesRepo.findHolder")(function* (provider, subject) {
          return yield* sql`
            SELECT i.id, i.user_id, u.status FROM oidc_identities i JOIN users u ON u.id = i.user_id
            WHERE i.provider = ${provider} AND i.subject = ${subject} AND u.status <> 'deleted'`.pipe(
            Effect.flatMap(decodeHolder)
          )
        }, Effect.orDie),

        link: Effect.fn("OidcIdentitiesRepo.link")(function* (identity) {
          const inserted = yield* sql`
            INSERT INTO oidc_identities (id, user_id, provider, subject, email, created_at)
            VALUES (${identity.id}, ${identity.userId}, ${identity.provider}, ${identity.subject},
                    ${identity.email}, ${identity.now})
            ON CONFLICT (provider, subject) DO NOTHING
            RETURNING *`.pipe(Effect.flatMap(decodeIdentity))
          if (Option.isSome(inserted)) return { _tag: "linked" as const, row: inserted.value }
          const existing = yield* findRow(identity.provider, identity.subject)
          if (Option.isSome(existing) && existing.value.userId === identity.userId) {
            return { _tag: "held" as const, row: existing.value }
          }
          return { _tag: "taken" as const }
        }, Effect.orDie),

        touch: Effect.fn("OidcIdentitiesRepo.touch")(function* (id, now) {
          yield* sql`UPDATE oidc_identities SET last_used_at = ${now} WHERE id = ${id}`
        }, Effect.orDie),

        listByUser: Effect.fn("OidcIdentitiesRepo.listByUser")(function* (userId) {
          return yield* sql`SELECT * FROM oidc_identities WHERE user_id = ${userId} ORDER BY created_at, id`.pipe(
            Effect.flatMap(decodeIdentities)
          )
        }, Effect.orDie),

        countByUser: Effect.fn("OidcIdentitiesRepo.countByUser")(function* (userId) {
          const row = yield* sql`SELECT count(*)::int AS count FROM oidc_identities WHERE user_id = ${userId}`.pipe(
            Effect.flatMap(decodeCount)
          )
          return Option.match(row, { onNone: () => 0, onSome: (found) => found.count })
        }, Effect.orDie),

        remove: Effect.fn("OidcIdentitiesRepo.remove")(function* (userId, id) {
          const rows = yield* sql`DELETE FROM oidc_identities WHERE id = ${id} AND user_id = ${userId} RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        removeForUser: Effect.fn("OidcIdentitiesRepo.removeForUser")(function* (userId) {
          yield* sql`DELETE FROM oidc_identities WHERE user_id = ${userId}`
        }, Effect.orDie)
      })
    })
  )
}
