import { InvalidCursor } from "@moim/domain/Page"
import { Effect, Schema } from "effect"

/**
 * Keyset pagination cursors: the sort key and id of the last item of a page, as opaque base64url
 * JSON. A cursor that does not decode with the list's schema is an `InvalidCursor` (400).
 */
export const Cursor = {
  encode: (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url"),
  decode: <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, cursor: string | undefined) =>
    cursor === undefined
      ? Effect.succeed(null)
      : Effect.try({
          try: (): unknown => JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")),
          catch: () => new InvalidCursor({ message: "The cursor is malformed" })
        }).pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(schema)),
          Effect.mapError(() => new InvalidCursor({ message: "The cursor is malformed or belongs to another list" }))
        ),
  /** A page of `limit` items from `limit + 1` rows, and the cursor after its last item. */
  page: <Row, Item>(
    rows: ReadonlyArray<Row>,
    limit: number,
    toItem: (row: Row) => Item,
    toCursor: (row: Row) => object
  ): { readonly items: Array<Item>; readonly nextCursor: string | null } => {
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map(toItem),
      nextCursor: rows.length > limit && last !== undefined ? Cursor.encode(toCursor(last)) : null
    }
  }
}
