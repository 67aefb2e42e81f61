import { createHmac, timingSafeEqual } from "node:crypto"
import { InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, Effect, Layer, Schema } from "effect"
import { ServerSecret } from "./ServerSecret.ts"

/** Fields of cursor positions, strict so that nothing but what the server wrote reaches SQL. */
export const PositionField = {
  id: Schema.String.check(Schema.isUUID()),
  /** An instant as `Date.toISOString()` writes it. */
  time: Schema.String.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)),
  /** A count or a score, as `String(number)` writes it. */
  number: Schema.String.check(Schema.isPattern(/^-?\d+(\.\d+)?(e[-+]?\d+)?$/))
}

/** Where a time-ordered page ended: the time of its last row and that row's id. */
export const TimePosition = Schema.Struct({ at: PositionField.time, id: PositionField.id })
export type TimePosition = typeof TimePosition.Type

/** What a list operation receives: `?limit=&cursor=`. */
export type PageQuery = { readonly limit?: number | undefined; readonly cursor?: string | undefined }

/** One page of a list, as every list operation answers. */
export type Page<A> = { readonly items: ReadonlyArray<A>; readonly nextCursor: string | null }

const invalid = new InvalidCursor({ message: "The cursor is malformed" })
const mismatch = new InvalidCursor({
  message: "The cursor belongs to another list, sort or search; start again without a cursor"
})

/**
 * Keyset pagination cursors: the position of the last item of a page (its sort key and id), as
 * base64url JSON followed by a MAC over that JSON and the cursor's scope: the list it was made for
 * with its sort and filters. A cursor from another list, sort or search, or one edited by a client,
 * is `InvalidCursor` (400) before anything reaches the database, and the position is then checked
 * against its schema too. Cursors are not secret, only unforgeable.
 */
export class Cursors extends Context.Service<
  Cursors,
  {
    /** The position a cursor points after, or null without a cursor (the first page). */
    readonly decode: <P>(
      schema: Schema.Codec<P, unknown>,
      scope: string,
      cursor: string | undefined
    ) => Effect.Effect<P | null, InvalidCursor>
    /** A page of `limit` items from `limit + 1` rows, and the cursor after its last item. */
    readonly page: <Row, Item>(
      scope: string,
      rows: ReadonlyArray<Row>,
      limit: number,
      toItem: (row: Row) => Item,
      toPosition: (row: Row) => object
    ) => { readonly items: Array<Item>; readonly nextCursor: string | null }
  }
>()("@moim/server/platform/Cursors") {
  static readonly make = (key: Uint8Array) => {
    const mac = (scope: string, json: string) =>
      createHmac("sha256", key).update(scope).update("\n").update(json).digest().subarray(0, 16)

    const encode = (scope: string, position: object) => {
      const json = JSON.stringify(position)
      return `${Buffer.from(json).toString("base64url")}.${mac(scope, json).toString("base64url")}`
    }

    return Cursors.of({
      decode: <P>(schema: Schema.Codec<P, unknown>, scope: string, cursor: string | undefined) => {
        if (cursor === undefined) return Effect.succeed(null)
        const [body, tag, extra] = cursor.split(".")
        if (body === undefined || tag === undefined || extra !== undefined) return Effect.fail(invalid)
        const json = Buffer.from(body, "base64url").toString("utf8")
        const given = Buffer.from(tag, "base64url")
        const expected = mac(scope, json)
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return Effect.fail(mismatch)
        return Effect.try({ try: (): unknown => JSON.parse(json), catch: () => invalid }).pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(schema)),
          Effect.mapError(() => invalid)
        )
      },
      page: (scope, rows, limit, toItem, toPosition) => {
        const page = rows.slice(0, limit)
        const last = page.at(-1)
        return {
          items: page.map(toItem),
          nextCursor: rows.length > limit && last !== undefined ? encode(scope, toPosition(last)) : null
        }
      }
    })
  }

  static readonly layer = Layer.effect(
    Cursors,
    Effect.gen(function* () {
      const secret = yield* ServerSecret
      return Cursors.make(secret.derive("cursor"))
    })
  )
}
