import { Context, Effect, Layer, Option, Schema } from "effect"
import { MediaRepo } from "./MediaRepo.ts"

/**
 * A kind of subject photos are attached to (`post`, `message`), answered by its feature: which of
 * these ids still exist.
 */
export interface MediaSubjectKind {
  readonly kind: string
  readonly existing: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
}

/**
 * A subject kind answered by its feature's `findMany`: the ids that are not its ids (attached under
 * the kind by mistake, or by an older version) count as gone.
 */
export const subjectKindOf = <Id extends string>(
  kind: string,
  id: Schema.Codec<Id, string>,
  findMany: (ids: ReadonlyArray<Id>) => Effect.Effect<ReadonlyArray<{ readonly id: string }>>
): MediaSubjectKind => {
  const decode = Schema.decodeUnknownOption(id)
  return {
    kind,
    existing: (ids) =>
      Effect.map(
        findMany(ids.flatMap((value) => Option.toArray(decode(value)))),
        (rows) => new Set<string>(rows.map((row) => row.id))
      )
  }
}

const pageSize = 500

/**
 * Photos whose subject is gone without releasing them: the posts of a group purged after its
 * retention, messages removed with their channel, all deleted by a cascade rather than one by one.
 * `sweep` detaches them, so the hourly purge removes them and their files once they have been
 * unused for its grace period; otherwise they would stay stored for ever. It walks every attached
 * subject by id, a page at a time, and asks each subject's feature which still exist.
 */
export class MediaOrphans extends Context.Service<MediaOrphans, { readonly sweep: Effect.Effect<number> }>()(
  "@moim/server/Media/MediaOrphans"
) {
  static readonly layer = <R>(kinds: Effect.Effect<ReadonlyArray<MediaSubjectKind>, never, R>) =>
    Layer.effect(
      MediaOrphans,
      Effect.gen(function* () {
        const repo = yield* MediaRepo
        const subjects = yield* kinds
        const sweepKind = Effect.fn("MediaOrphans.sweepKind")(function* (subject: MediaSubjectKind) {
          let after: string | null = null
          let detached = 0
          while (true) {
            const ids: ReadonlyArray<string> = yield* repo.attachedSubjects(subject.kind, after, pageSize)
            if (ids.length === 0) return detached
            const present = yield* subject.existing(ids)
            detached += yield* repo.detachSubjects(
              subject.kind,
              ids.filter((id) => !present.has(id))
            )
            if (ids.length < pageSize) return detached
            after = ids[ids.length - 1] ?? null
          }
        })
        return MediaOrphans.of({
          sweep: Effect.map(Effect.forEach(subjects, sweepKind), (counts) =>
            counts.reduce((sum, count) => sum + count, 0)
          )
        })
      })
    ).pipe(Layer.provide(MediaRepo.layer))
}
