import { Schema } from "effect"

/** How many ids one batch read takes. */
export const maxBatchIds = 100

/**
 * `?ids=a&ids=b` of a batch read: 1 to 100 ids (repeats are read once). Ids that do not exist, or
 * that the caller may not see, are left out of the answer rather than failing the call, so a client
 * can ask for whatever ids a page mentions.
 */
export const BatchIds = <S extends Schema.Top>(id: S) => ({
  ids: Schema.Array(id)
    .check(Schema.isMinLength(1), Schema.isMaxLength(maxBatchIds))
    .annotate({ description: `1 to ${maxBatchIds} ids, as repeated \`ids\` parameters` })
})

/** The answer of a batch read: the items the caller may see, in the order their ids were asked for. */
export const Batch = <S extends Schema.Top>(item: S, identifier: string) =>
  Schema.Struct({
    items: Schema.Array(item).annotate({
      description: "In the order of `ids`, each once; missing and hidden ids are absent"
    })
  }).annotate({ identifier, description: "The items of a batch read the caller may see" })
