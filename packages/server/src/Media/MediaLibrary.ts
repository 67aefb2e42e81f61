import type { UserId } from "@moim/domain/Accounts/User"
import type { Attachment, MediaId } from "@moim/domain/Media/Media"
import { MediaNotAPhoto, MediaNotAttachable, MediaNotFound } from "@moim/domain/Media/MediaErrors"
import { Context, Effect, Layer, Option } from "effect"
import { MediaRepo, type MediaRow, type MediaSubject } from "./MediaRepo.ts"
import { isFinalised, MediaViews } from "./MediaViews.ts"

export type { MediaSubject } from "./MediaRepo.ts"

/**
 * Photos and files for the features that show them (posts, chat messages): attach a user's uploads
 * to a subject, detach them, and read them as `Attachment`s. Who may see a subject is the calling
 * feature's rule: this service checks only that an author attaches their own uploads, each to one
 * subject, and files only where the feature takes them.
 */
export class MediaLibrary extends Context.Service<
  MediaLibrary,
  {
    /**
     * Attaches the owner's photos to the subject (`{ kind: "post", id }`). Call it inside the
     * transaction that saves the subject: the photos' rows are locked, so a concurrent purge or
     * delete cannot take them, and a rolled-back subject attaches nothing. Each photo must be the
     * owner's (else `MediaNotFound`), finalised, not failed and attached to nothing else (else
     * `MediaNotAttachable`, naming it); then none is attached. Uploads already attached to this
     * subject stay so; duplicate ids count once. Photos and files alike (a chat message).
     */
    readonly claim: (
      ownerId: UserId,
      subject: MediaSubject,
      ids: ReadonlyArray<MediaId>
    ) => Effect.Effect<void, MediaNotFound | MediaNotAttachable>
    /** `claim` for a subject that shows photos only (a post): a file among `ids` is `MediaNotAPhoto`. */
    readonly claimPhotos: (
      ownerId: UserId,
      subject: MediaSubject,
      ids: ReadonlyArray<MediaId>
    ) => Effect.Effect<void, MediaNotFound | MediaNotAttachable | MediaNotAPhoto>
    /**
     * Detaches the subject's photos, all of them or all but `keep` (an edit that drops some; a
     * deleted subject). Detached photos are deleted with their files after the grace period
     * (24 hours) unless claimed again. Call it in the subject's transaction.
     */
    readonly release: (subject: MediaSubject, keep?: ReadonlyArray<MediaId>) => Effect.Effect<void>
    /**
     * The photos as clients see them, with rendition URLs, in one query: for a page of posts, pass
     * every photo id of the page. Ids that are unknown, deleted or not finalised are absent.
     */
    readonly attachments: (ids: ReadonlyArray<MediaId>) => Effect.Effect<ReadonlyMap<MediaId, Attachment>>
  }
>()("@moim/server/Media/MediaLibrary") {
  static readonly layer = Layer.effect(
    MediaLibrary,
    Effect.gen(function* () {
      const repo = yield* MediaRepo
      const views = yield* MediaViews

      // A claim that first refuses the rows `notAccepted` names a reason for.
      const claimAs = <E>(span: string, notAccepted: (row: MediaRow) => Option.Option<E>) =>
        Effect.fn(span)(function* (ownerId: UserId, subject: MediaSubject, ids: ReadonlyArray<MediaId>) {
          const unique = [...new Set(ids)]
          if (unique.length === 0) return
          const rows = new Map((yield* repo.lockMany(unique)).map((row) => [row.id, row]))
          for (const id of unique) {
            const row = rows.get(id)
            if (row === undefined || row.ownerId !== ownerId) {
              return yield* new MediaNotFound({ message: `No photo or file of yours has the id ${id}` })
            }
            const refused = notAccepted(row)
            if (Option.isSome(refused)) return yield* Effect.fail(refused.value)
            const refusal =
              row.status === "uploading"
                ? "is not finalised yet"
                : row.status === "failed"
                  ? `failed: ${row.failure ?? "it could not be processed"}`
                  : row.subjectId !== null && (row.subjectKind !== subject.kind || row.subjectId !== subject.id)
                    ? "is attached to something else"
                    : undefined
            if (refusal !== undefined) {
              return yield* new MediaNotAttachable({
                mediaId: id,
                message: `The ${row.kind === "photo" ? "photo" : "file"} ${id} ${refusal}`
              })
            }
          }
          yield* repo.attach(unique, subject)
        })

      return MediaLibrary.of({
        claim: claimAs("MediaLibrary.claim", () => Option.none<never>()),

        claimPhotos: claimAs("MediaLibrary.claimPhotos", (row) =>
          row.kind === "photo"
            ? Option.none()
            : Option.some(
                new MediaNotAPhoto({
                  mediaId: row.id,
                  message: `The upload ${row.id} is a file, not a photo: only photos can be attached here`
                })
              )
        ),

        release: Effect.fn("MediaLibrary.release")(function* (subject, keep) {
          yield* repo.detach(subject, keep ?? [])
        }),

        attachments: Effect.fn("MediaLibrary.attachments")(function* (ids) {
          const rows = (yield* repo.findMany([...new Set(ids)])).filter(isFinalised)
          const shown = yield* Effect.forEach(rows, (row) => views.attachment(row))
          return new Map(shown.map((attachment) => [attachment.id, attachment]))
        })
      })
    })
  )
}
