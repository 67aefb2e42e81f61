import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per photo, from the start of its upload. `uploading` until finalised; then `processing`
  // until the worker records `ready` (size, placeholder, renditions) or `failed` (why). A photo is
  // attached to at most one subject (a post); `deleted_at` hides it until its files are removed.
  yield* sql`
    CREATE TABLE media (
      id uuid PRIMARY KEY,
      owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('uploading', 'processing', 'ready', 'failed')),
      declared_type text NOT NULL,
      declared_bytes integer NOT NULL,
      upload_key text NOT NULL,
      failure text,
      width integer,
      height integer,
      placeholder text,
      renditions jsonb NOT NULL DEFAULT '[]',
      subject_kind text,
      subject_id text,
      attached_at timestamptz(3),
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      deleted_at timestamptz(3),
      CHECK ((subject_kind IS NULL) = (subject_id IS NULL))
    )
  `
  yield* sql`CREATE INDEX media_subject_idx ON media (subject_kind, subject_id) WHERE subject_id IS NOT NULL`
  // The hourly purge: photos attached to nothing, oldest change first; those deleted; stuck processing.
  yield* sql`CREATE INDEX media_unattached_idx ON media (updated_at) WHERE subject_id IS NULL AND deleted_at IS NULL`
  yield* sql`CREATE INDEX media_deleted_idx ON media (deleted_at) WHERE deleted_at IS NOT NULL`
  yield* sql`CREATE INDEX media_processing_idx ON media (updated_at) WHERE status = 'processing'`
})
