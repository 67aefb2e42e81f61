import { Schema } from "effect"

/**
 * The edit version of a group, post or event: 1 when created, one more with each edit through its
 * update operation. Counters (members, comments, answers) and the viewer's own state are not edits
 * and leave it alone, so a join does not make an editor's copy stale.
 */
export const EditVersion = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 2_147_483_647 })).annotate({
  identifier: "EditVersion",
  description:
    "Increases by one with each edit; send it back (or the read's `ETag`) in `If-Match` so an edit applies only to the version you saw"
})

/**
 * An `If-Match` Moim can compare: `*`, an `ETag` it sent for the resource (`W/"7-…"`), or the edit
 * version alone (`"7"`). One tag per request; the version part is what is compared, so a tag read
 * before a join still matches while nobody has edited the resource.
 */
export const IfMatch = Schema.String.check(
  Schema.isMaxLength(90),
  Schema.isPattern(/^\s*(\*|(W\/)?"[0-9]{1,10}(-[A-Za-z0-9_-]{0,64})?")\s*$/u)
).annotate({
  description:
    'Apply the edit only if the resource is still at this version: `*`, the `ETag` of your read (`W/"7-…"`) or the version alone (`"7"`); otherwise 412 `PreconditionFailed`'
})

/** The version an `If-Match` asks for; undefined for `*` (any version). */
export const versionOfIfMatch = (header: string): number | undefined => {
  const match = /"([0-9]{1,10})(?:-|")/.exec(header)
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/** The `ETag` of a versioned resource's representation: its edit version, then a digest of the body. */
export const versionedEntityTag = (version: number, digest: string) => `W/"${version}-${digest}"`

/**
 * The edit was made against a version that is no longer current (`If-Match` on REST,
 * `expectedVersion` on RPC): someone else changed the resource since you read it. Read it again,
 * merge, and send the edit with the new version.
 */
export class PreconditionFailed extends Schema.TaggedError<PreconditionFailed>()(
  "PreconditionFailed",
  {
    message: Schema.String,
    currentVersion: Schema.Int.annotate({ description: "The resource's edit version now" })
  },
  {
    httpApiStatus: 412,
    identifier: "PreconditionFailed",
    description: "The resource was edited since the version you sent in If-Match (or expectedVersion)"
  }
) {}
