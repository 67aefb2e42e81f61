import { createHash, randomBytes } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { mkdir, rename, rm } from "node:fs/promises"
import { join } from "node:path"
import { Config, Effect } from "effect"
import { repositoryRoot, serverSourceDir } from "./SourcePaths.ts"

const root = repositoryRoot
const migrationsDir = join(serverSourceDir, "migrations")

/** Where snapshots are kept unless `MOIM_SCHEMA_CACHE_DIR` says otherwise: npm's usual cache folder. */
export const defaultCacheDir = join(root, "node_modules", ".cache", "moim")

/**
 * What the migrated embedded database depends on: the source of every migration, and the locked
 * versions of every dependency (PGlite's data format, graphile-worker's own migrations). A change
 * to any of them gives another file name, so a stale snapshot is never loaded.
 */
export const schemaFingerprint = (): string => {
  const hash = createHash("sha256")
  for (const file of readdirSync(migrationsDir).sort()) {
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(join(migrationsDir, file)))
      .update("\0")
  }
  const lock = join(root, "package-lock.json")
  if (existsSync(lock)) hash.update(readFileSync(lock))
  return hash.digest("hex").slice(0, 24)
}

/**
 * A snapshot of a freshly migrated embedded database, so a new `MOIM_DATA_DIR` starts from it
 * instead of creating a Postgres cluster and running every migration (which takes most of a fresh
 * start). The first fresh start on a machine writes it; later fresh starts load it. Kept in
 * `MOIM_SCHEMA_CACHE_DIR` (default `node_modules/.cache/moim`; empty turns it off), one file per
 * schema fingerprint.
 */
export const SchemaSnapshot = {
  /** The snapshot file of the current schema, or none when the cache is turned off. */
  file: Effect.gen(function* () {
    const dir = yield* Config.String("MOIM_SCHEMA_CACHE_DIR").pipe(Config.withDefault(defaultCacheDir))
    if (dir.trim() === "") return undefined
    return join(dir, `schema-${schemaFingerprint()}.tar.gz`)
  }),

  /**
   * Writes the snapshot with `dump`, through a temporary file renamed into place, so a process
   * that loads it never sees half a file and two processes writing at once leave one whole file.
   * A failure only costs the next fresh start its head start: it is logged, not raised.
   */
  save: (file: string, dump: (path: string) => Effect.Effect<void>) => {
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`
    return Effect.gen(function* () {
      yield* Effect.promise(() => mkdir(join(file, ".."), { recursive: true }))
      yield* dump(temporary)
      yield* Effect.promise(() => rename(temporary, file))
      yield* Effect.logInfo("saved a snapshot of the migrated embedded database").pipe(Effect.annotateLogs({ file }))
    }).pipe(
      Effect.catchCause((cause) =>
        Effect.logWarning("could not save a snapshot of the migrated embedded database", cause).pipe(
          Effect.andThen(Effect.promise(() => rm(temporary, { force: true })))
        )
      )
    )
  }
}
