import { Schema } from "effect"
import { integerQuery, pageLimit } from "./IntegerQueryParameters.ts"
import { Text } from "./Text.ts"

/** `?limit=&cursor=` of every list endpoint. */
export const PageQuery = {
  limit: integerQuery(pageLimit),
  cursor: Schema.optional(
    Text({ maxLength: 512 }).annotate({
      description: "The `nextCursor` of the previous page; omit for the first page"
    })
  )
}

export const defaultPageSize = 20

/** One page of a keyset-paginated list. */
export const Page = <S extends Schema.Top>(item: S, identifier: string) =>
  Schema.Struct({
    items: Schema.Array(item),
    nextCursor: Schema.NullOr(Schema.String).annotate({
      description: "Pass as `cursor` to get the next page; null on the last page"
    })
  }).annotate({ identifier, description: "A page of results and the cursor of the next one" })

/** The requested cursor is malformed or from another list. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()(
  "InvalidCursor",
  { message: Schema.String },
  { httpApiStatus: 400, identifier: "InvalidCursor", description: "The cursor is malformed" }
) {}
