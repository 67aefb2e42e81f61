import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/**
 * Compiles `src` to `dist` (ESM + `.d.ts`) with the workspace's TypeScript 7 compiler. The sources
 * import each other as `./x.ts` (Node runs them directly); `tsc` rewrites that to `./x.js` in the
 * JavaScript but not in declarations, so declarations are rewritten here for every consumer's
 * TypeScript to resolve them.
 */
const root = join(import.meta.dirname, "..")
const dist = join(root, "dist")
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript7/package.json")), "bin", "tsc")

rmSync(dist, { recursive: true, force: true })
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" })

const relativeTsSpecifier = /((?:from|import)\s*\(?\s*["']\.{1,2}\/[^"']*?)\.ts(["'])/g
for (const entry of readdirSync(dist, { recursive: true, encoding: "utf8" })) {
  if (!entry.endsWith(".d.ts")) continue
  const file = join(dist, entry)
  writeFileSync(file, readFileSync(file, "utf8").replace(relativeTsSpecifier, "$1.js$2"))
}
