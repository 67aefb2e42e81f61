import { realpathSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/**
 * Where the server package's sources are, wherever this code runs from: the sources themselves, or
 * the production bundle in `dist/` (where `import.meta.url` would point elsewhere). What is read at
 * run time beside the code (the breached-password list, the PGlite worker's module, the migrations
 * for the schema snapshot's fingerprint) is found from here.
 */
export const serverSourceDir = join(
  dirname(realpathSync(createRequire(import.meta.url).resolve("@moim/server/platform/SourcePaths"))),
  ".."
)

/** The repository (or installation) root: the one with `package-lock.json` and `node_modules`. */
export const repositoryRoot = join(serverSourceDir, "..", "..", "..")
