import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Uploads that are not photos: `kind` tells them apart; a file keeps the name it was uploaded with
  // (never part of a storage key) and, once checked, the type its bytes were found to be, which its
  // downloads are served as. Its upload is kept as the file itself.
  yield* sql`
    ALTER TABLE media
      ADD COLUMN kind text NOT NULL DEFAULT 'photo' CHECK (kind IN ('photo', 'file')),
      ADD COLUMN file_name text,
      ADD COLUMN content_type text,
      ADD CONSTRAINT media_file_name_check CHECK ((kind = 'file') = (file_name IS NOT NULL))
  `
})
