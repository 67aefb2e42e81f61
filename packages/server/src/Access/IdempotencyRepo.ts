import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** A response kept for a key: what a repeat of the request is answered with. */
export interface StoredResponse {
  readonly status: number
  readonly contentType: string | null
  readonly headers: Readonly<Record<string, string>>
  /** The encrypted body (nonce, ciphertext, tag), base64. */
  readonly body: string | null
}

/** Where a key stands when a request arrives with it. */
export type Claim =
  /** The request is this caller's to run; `owner` completes or releases it. */
  | { readonly _tag: "Claimed"; readonly owner: string }
  /** The first request finished: answer with its response. */
  | { readonly _tag: "Done"; readonly response: StoredResponse }
  /** The key was used for a different request. */
  | { readonly _tag: "Mismatch" }
  /** The first request with this key is still running. */
  | { readonly _tag: "Running" }

const Existing = Schema.Struct({
  fingerprint: Schema.String,
  status: Schema.NullOr(Schema.Number),
  contentType: Schema.NullOr(Schema.String),
  headers: Schema.NullOr(Schema.Record(Schema.String, Schema.String)),
  body: Schema.NullOr(Schema.String)
})
const decodeExisting = Rows.first(Existing)
const decodeOwner = Rows.first(Schema.Struct({ owner: Schema.String }))

/**
 * The `idempotency_keys` table: one row per caller and `Idempotency-Key`, claimed by the request
 * that runs and then holding its response for a day. Every statement is one round trip and safe
 * under concurrency: two requests with the same key race on the primary key, and one of them runs.
 */
export class IdempotencyRepo extends Context.Service<
  IdempotencyRepo,
  {
    /**
     * Claims `key` for a request with `fingerprint`, or tells how it stands: a new key, one past its
     * expiry, or one whose runner's lock ran out (a process that died mid-request) is claimed.
     */
    readonly claim: (input: {
      readonly scope: string
      readonly key: string
      readonly fingerprint: string
      readonly lockSeconds: number
      readonly ttlSeconds: number
    }) => Effect.Effect<Claim>
    /** Stores the response of the claimed request; a no-op if `owner` lost the claim. */
    readonly complete: (input: {
      readonly scope: string
      readonly key: string
      readonly owner: string
      readonly response: StoredResponse
    }) => Effect.Effect<void>
    /** Gives the key up (the request failed and changed nothing): the next request with it runs. */
    readonly release: (input: {
      readonly scope: string
      readonly key: string
      readonly owner: string
    }) => Effect.Effect<void>
    /** Removes up to `limit` keys past their expiry; how many. */
    readonly purgeExpired: (limit: number) => Effect.Effect<number>
  }
>()("@moim/server/Access/IdempotencyRepo") {
  static readonly layer = Layer.effect(
    IdempotencyRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      const tryClaim = (input: Parameters<IdempotencyRepo["Service"]["claim"]>[0]) =>
        sql`
          INSERT INTO idempotency_keys AS k (scope, key, fingerprint, owner, locked_until, created_at, expires_at)
          VALUES (${input.scope}, ${input.key}, decode(${input.fingerprint}, 'hex'), gen_random_uuid(),
            now() + make_interval(secs => ${input.lockSeconds}), now(), now() + make_interval(secs => ${input.ttlSeconds}))
          ON CONFLICT (scope, key) DO UPDATE SET
            fingerprint = EXCLUDED.fingerprint, owner = EXCLUDED.owner, locked_until = EXCLUDED.locked_until,
            status = NULL, content_type = NULL, headers = NULL, body = NULL,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
          WHERE k.expires_at <= now()
            OR (k.status IS NULL AND k.locked_until <= now() AND k.fingerprint = EXCLUDED.fingerprint)
          RETURNING owner::text AS owner`.pipe(Effect.flatMap(decodeOwner))

      const existing = (scope: string, key: string) =>
        sql`
          SELECT encode(fingerprint, 'hex') AS fingerprint, status, content_type, headers, encode(body, 'base64') AS body
          FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`.pipe(Effect.flatMap(decodeExisting))

      const claim: IdempotencyRepo["Service"]["claim"] = Effect.fn("IdempotencyRepo.claim")(function* (input) {
        // A row released between the two statements is claimed on the next turn; two turns suffice
        // unless the key is being claimed and released continuously, which a third turn reports as running.
        for (let turn = 0; turn < 3; turn++) {
          const claimed = yield* tryClaim(input)
          if (Option.isSome(claimed)) return { _tag: "Claimed", owner: claimed.value.owner } as const
          const row = yield* existing(input.scope, input.key)
          if (Option.isNone(row)) continue
          if (row.value.fingerprint !== input.fingerprint) return { _tag: "Mismatch" } as const
          if (row.value.status === null) return { _tag: "Running" } as const
          return {
            _tag: "Done",
            response: {
              status: row.value.status,
              contentType: row.value.contentType,
              headers: row.value.headers ?? {},
              body: row.value.body
            }
          } as const
        }
        return { _tag: "Running" } as const
      }, Effect.orDie)

      return IdempotencyRepo.of({
        claim,

        complete: Effect.fn("IdempotencyRepo.complete")(function* ({ scope, key, owner, response }) {
          yield* sql`
            UPDATE idempotency_keys SET status = ${response.status}, content_type = ${response.contentType},
              headers = ${JSON.stringify(response.headers)}::jsonb,
              body = CASE WHEN ${response.body}::text IS NULL THEN NULL ELSE decode(${response.body}, 'base64') END,
              owner = NULL, locked_until = NULL
            WHERE scope = ${scope} AND key = ${key} AND owner = ${owner}::uuid`
        }, Effect.orDie),

        release: Effect.fn("IdempotencyRepo.release")(function* ({ scope, key, owner }) {
          yield* sql`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key} AND owner = ${owner}::uuid`
        }, Effect.orDie),

        purgeExpired: Effect.fn("IdempotencyRepo.purgeExpired")(function* (limit) {
          const rows = yield* sql`
            DELETE FROM idempotency_keys WHERE (scope, key) IN (
              SELECT scope, key FROM idempotency_keys WHERE expires_at <= now() LIMIT ${limit}
            ) RETURNING 1`
          return rows.length
        }, Effect.orDie)
      })
    })
  )
}
