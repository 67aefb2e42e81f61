import { UserId } from "@moim/domain/Accounts/User"
import { MediaId, MediaKind } from "@moim/domain/Media/Media"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"

/** One stored rendition: its size and where its file is. */
export const StoredRendition = Schema.Struct({ width: Schema.Int, height: Schema.Int, key: Schema.String })
export type StoredRendition = typeof StoredRendition.Type

export const MediaRow = Schema.Struct({
  id: MediaId,
  ownerId: UserId,
  kind: MediaKind,
  status: Schema.Literals(["uploading", "processing", "ready", "failed"]),
  declaredType: Schema.String,
  declaredBytes: Schema.Int,
  uploadKey: Schema.String,
  failure: Schema.NullOr(Schema.String),
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int),
  placeholder: Schema.NullOr(Schema.String),
  renditions: Schema.Array(StoredRendition),
  subjectKind: Schema.NullOr(Schema.String),
  subjectId: Schema.NullOr(Schema.String),
  /** A file's name as uploaded; null for a photo. */
  fileName: Schema.NullOr(Schema.String),
  /** A file's type as checked from its bytes, once ready; null for a photo. */
  contentType: Schema.NullOr(Schema.String),
  createdAt: Schema.Date
})
export type MediaRow = typeof MediaRow.Type

/** The stored objects of a photo or a file being removed (a file's is its upload). */
export const MediaFiles = Schema.Struct({
  id: MediaId,
  uploadKey: Schema.String,
  renditions: Schema.Array(StoredRendition)
})
export type MediaFiles = typeof MediaFiles.Type

/** What a photo is attached to: a kind of subject and its id (`{ kind: "post", id }`). */
export interface MediaSubject {
  readonly kind: string
  readonly id: string
}

const decodeRow = Rows.first(MediaRow)
const decodeRows = Rows.all(MediaRow)
const decodeFiles = Rows.all(MediaFiles)
const decodeIds = Rows.all(Schema.Struct({ id: MediaId }))

const columns =
  "id, owner_id, kind, status, declared_type, declared_bytes, upload_key, failure, width, height, placeholder, renditions, subject_kind, subject_id, file_name, content_type, created_at"

/**
 * The `media` table: each photo from the start of its upload until its files are deleted. Rows
 * marked deleted (`deleted_at`) are invisible to every read but `deletedBatch`, which the purge
 * uses to remove their files, then the rows.
 */
export class MediaRepo extends Context.Service<
  MediaRepo,
  {
    readonly insert: (media: {
      readonly id: MediaId
      readonly ownerId: UserId
      readonly kind: MediaKind
      /** A file's name; none for a photo. */
      readonly fileName: string | null
      readonly declaredType: string
      readonly declaredBytes: number
      readonly uploadKey: string
    }) => Effect.Effect<void>
    /** The owner's photo, unless deleted; `lock` takes its row lock (inside a transaction). */
    readonly findOwned: (
      ownerId: UserId,
      id: MediaId,
      options?: { readonly lock: boolean }
    ) => Effect.Effect<Option.Option<MediaRow>>
    /** These photos, unless deleted, in no particular order. */
    readonly findMany: (ids: ReadonlyArray<MediaId>) => Effect.Effect<ReadonlyArray<MediaRow>>
    /** These photos' rows, locked (inside a transaction), unless deleted. */
    readonly lockMany: (ids: ReadonlyArray<MediaId>) => Effect.Effect<ReadonlyArray<MediaRow>>
    /** `uploading` → `processing`: the updated row, or none when it was not uploading. */
    readonly markProcessing: (id: MediaId) => Effect.Effect<Option.Option<MediaRow>>
    /** The photo while it is `processing` and not deleted. */
    readonly processing: (id: MediaId) => Effect.Effect<Option.Option<MediaRow>>
    /** `processing` → `ready` with what the worker made; false when it was no longer processing or deleted. */
    readonly markReady: (
      id: MediaId,
      result: {
        readonly width: number
        readonly height: number
        readonly placeholder: string
        readonly renditions: ReadonlyArray<StoredRendition>
      }
    ) => Effect.Effect<boolean>
    /** A file's `processing` → `ready`, served as `contentType`; false when it was no longer processing or deleted. */
    readonly markFileReady: (id: MediaId, contentType: string) => Effect.Effect<boolean>
    /** `processing` → `failed` with the reason; false when it was no longer processing or deleted. */
    readonly markFailed: (id: MediaId, reason: string) => Effect.Effect<boolean>
    /** Marks as failed, with the reason, photos processing since before `before`; how many. */
    readonly failStale: (before: Date, reason: string) => Effect.Effect<number>
    /** Attaches the photos to the subject (their rows locked by `lockMany` first). */
    readonly attach: (ids: ReadonlyArray<MediaId>, subject: MediaSubject) => Effect.Effect<void>
    /** Detaches the subject's photos, all or all but `keep`. */
    readonly detach: (subject: MediaSubject, keep: ReadonlyArray<MediaId>) => Effect.Effect<void>
    /** The subjects of `kind` that photos are attached to, by id after `after`, at most `limit`. */
    readonly attachedSubjects: (
      kind: string,
      after: string | null,
      limit: number
    ) => Effect.Effect<ReadonlyArray<string>>
    /** Detaches every photo of these subjects of `kind` (the subjects are gone); how many. */
    readonly detachSubjects: (kind: string, ids: ReadonlyArray<string>) => Effect.Effect<number>
    /** Marks the photo deleted (locked by `findOwned` first). */
    readonly markDeleted: (id: MediaId) => Effect.Effect<void>
    /** Marks deleted at most `limit` photos attached to nothing and unchanged since before `before`; their ids. */
    readonly markUnusedDeleted: (before: Date, limit: number) => Effect.Effect<ReadonlyArray<MediaId>>
    /** The files of at most `limit` deleted photos: the given ones, or any started before `startedBefore`. */
    readonly deletedBatch: (
      limit: number,
      among: { readonly only: ReadonlyArray<MediaId> } | { readonly startedBefore: Date }
    ) => Effect.Effect<ReadonlyArray<MediaFiles>>
    /** Removes the rows of these deleted photos, those started before `startedBefore`. */
    readonly removeDeleted: (ids: ReadonlyArray<MediaId>, startedBefore: Date) => Effect.Effect<void>
    /** Whether the photo's row is still there and not deleted. */
    readonly exists: (id: MediaId) => Effect.Effect<boolean>
  }
>()("@moim/server/Media/MediaRepo") {
  static readonly layer = Layer.effect(
    MediaRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)

      return MediaRepo.of({
        insert: Effect.fn("MediaRepo.insert")(function* (media) {
          yield* sql`
            INSERT INTO media (id, owner_id, kind, file_name, status, declared_type, declared_bytes, upload_key,
              created_at, updated_at)
            VALUES (${media.id}, ${media.ownerId}, ${media.kind}, ${media.fileName}, 'uploading', ${media.declaredType},
              ${media.declaredBytes}, ${media.uploadKey}, now(), now())`
        }, Effect.orDie),

        findOwned: Effect.fn("MediaRepo.findOwned")(function* (ownerId, id, options) {
          const lock = sql.literal(options?.lock === true ? "FOR UPDATE" : "")
          return yield* sql`
            SELECT ${selected} FROM media
            WHERE id = ${id} AND owner_id = ${ownerId} AND deleted_at IS NULL ${lock}`.pipe(Effect.flatMap(decodeRow))
        }, Effect.orDie),

        findMany: Effect.fn("MediaRepo.findMany")(function* (ids) {
          if (ids.length === 0) return []
          return yield* sql`
            SELECT ${selected} FROM media WHERE id = ANY(${[...ids]}::uuid[]) AND deleted_at IS NULL`.pipe(
            Effect.flatMap(decodeRows)
          )
        }, Effect.orDie),

        lockMany: Effect.fn("MediaRepo.lockMany")(function* (ids) {
          if (ids.length === 0) return []
          // In id order, so two transactions locking overlapping sets cannot deadlock.
          return yield* sql`
            SELECT ${selected} FROM media WHERE id = ANY(${[...ids]}::uuid[]) AND deleted_at IS NULL
            ORDER BY id FOR UPDATE`.pipe(Effect.flatMap(decodeRows))
        }, Effect.orDie),

        markProcessing: Effect.fn("MediaRepo.markProcessing")(function* (id) {
          return yield* sql`
            UPDATE media SET status = 'processing', updated_at = now()
            WHERE id = ${id} AND status = 'uploading' AND deleted_at IS NULL
            RETURNING ${selected}`.pipe(Effect.flatMap(decodeRow))
        }, Effect.orDie),

        processing: Effect.fn("MediaRepo.processing")(function* (id) {
          return yield* sql`
            SELECT ${selected} FROM media
            WHERE id = ${id} AND status = 'processing' AND deleted_at IS NULL`.pipe(Effect.flatMap(decodeRow))
        }, Effect.orDie),

        markReady: Effect.fn("MediaRepo.markReady")(function* (id, result) {
          const rows = yield* sql`
            UPDATE media SET status = 'ready', width = ${result.width}, height = ${result.height},
              placeholder = ${result.placeholder}, renditions = ${JSON.stringify(result.renditions)}::jsonb,
              updated_at = now()
            WHERE id = ${id} AND status = 'processing' AND deleted_at IS NULL
            RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        markFileReady: Effect.fn("MediaRepo.markFileReady")(function* (id, contentType) {
          const rows = yield* sql`
            UPDATE media SET status = 'ready', content_type = ${contentType}, updated_at = now()
            WHERE id = ${id} AND kind = 'file' AND status = 'processing' AND deleted_at IS NULL
            RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        markFailed: Effect.fn("MediaRepo.markFailed")(function* (id, reason) {
          const rows = yield* sql`
            UPDATE media SET status = 'failed', failure = ${reason}, updated_at = now()
            WHERE id = ${id} AND status = 'processing' AND deleted_at IS NULL
            RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        failStale: Effect.fn("MediaRepo.failStale")(function* (before, reason) {
          const rows = yield* sql`
            UPDATE media SET status = 'failed', failure = ${reason}, updated_at = now()
            WHERE status = 'processing' AND updated_at < ${before} AND deleted_at IS NULL
            RETURNING id`
          return rows.length
        }, Effect.orDie),

        attach: Effect.fn("MediaRepo.attach")(function* (ids, subject) {
          if (ids.length === 0) return
          yield* sql`
            UPDATE media SET subject_kind = ${subject.kind}, subject_id = ${subject.id},
              attached_at = coalesce(attached_at, now()), updated_at = now()
            WHERE id = ANY(${[...ids]}::uuid[])`
        }, Effect.orDie),

        detach: Effect.fn("MediaRepo.detach")(function* (subject, keep) {
          yield* sql`
            UPDATE media SET subject_kind = NULL, subject_id = NULL, attached_at = NULL, updated_at = now()
            WHERE subject_kind = ${subject.kind} AND subject_id = ${subject.id}
              AND NOT (id = ANY(${[...keep]}::uuid[]))`
        }, Effect.orDie),

        attachedSubjects: Effect.fn("MediaRepo.attachedSubjects")(function* (kind, after, limit) {
          const rows = yield* sql<{ readonly subjectId: string }>`
            SELECT DISTINCT subject_id FROM media
            WHERE subject_kind = ${kind} AND subject_id > ${after ?? ""}
            ORDER BY subject_id LIMIT ${limit}`
          return rows.map((row) => row.subjectId)
        }, Effect.orDie),

        detachSubjects: Effect.fn("MediaRepo.detachSubjects")(function* (kind, ids) {
          if (ids.length === 0) return 0
          const rows = yield* sql`
            UPDATE media SET subject_kind = NULL, subject_id = NULL, attached_at = NULL, updated_at = now()
            WHERE subject_kind = ${kind} AND subject_id = ANY(${[...ids]}::text[]) RETURNING id`
          return rows.length
        }, Effect.orDie),

        markDeleted: Effect.fn("MediaRepo.markDeleted")(function* (id) {
          yield* sql`UPDATE media SET deleted_at = now(), updated_at = now() WHERE id = ${id} AND deleted_at IS NULL`
        }, Effect.orDie),

        markUnusedDeleted: Effect.fn("MediaRepo.markUnusedDeleted")(function* (before, limit) {
          // SKIP LOCKED: a photo being attached right now is left for the next run.
          return yield* sql`
            UPDATE media SET deleted_at = now() WHERE id IN (
              SELECT id FROM media
              WHERE subject_id IS NULL AND deleted_at IS NULL AND updated_at < ${before}
              ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
            RETURNING id`.pipe(
            Effect.flatMap(decodeIds),
            Effect.map((rows) => rows.map((row) => row.id))
          )
        }, Effect.orDie),

        deletedBatch: Effect.fn("MediaRepo.deletedBatch")(function* (limit, among) {
          const which =
            "only" in among ? sql`id = ANY(${[...among.only]}::uuid[])` : sql`created_at < ${among.startedBefore}`
          return yield* sql`
            SELECT id, upload_key, renditions FROM media WHERE deleted_at IS NOT NULL AND ${which}
            ORDER BY deleted_at LIMIT ${limit}`.pipe(Effect.flatMap(decodeFiles))
        }, Effect.orDie),

        removeDeleted: Effect.fn("MediaRepo.removeDeleted")(function* (ids, startedBefore) {
          if (ids.length === 0) return
          yield* sql`
            DELETE FROM media
            WHERE id = ANY(${[...ids]}::uuid[]) AND deleted_at IS NOT NULL AND created_at < ${startedBefore}`
        }, Effect.orDie),

        exists: Effect.fn("MediaRepo.exists")(function* (id) {
          const rows = yield* sql`SELECT 1 FROM media WHERE id = ${id} AND deleted_at IS NULL`
          return rows.length > 0
        }, Effect.orDie)
      })
    })
  )
}
