/**
 * The production bundles of the three entry points, in `dist/`: `server.mjs` (`npm run
 * start:server`), `worker.mjs` (`npm run start:worker`) and `all.mjs` (`npm start`), with their
 * shared chunks in `dist/chunks/`. Moim's own code and Effect are bundled (tree-shaken, types
 * already stripped); every other dependency stays in `node_modules`, imported at run time.
 *
 * Why: run from its TypeScript sources, a server process loads all of Effect (its index imports
 * every module) and Node's type stripper: 185 MB resident when idle, and 2.5 s to start. Bundled, it
 * loads only what it uses: about 140 MB, and a start in about half the time.
 *
 * `node scripts/bundle.ts` builds; `--if-stale` builds only when the sources, the lockfile or this
 * script changed since the last build (a hash kept in `dist/.fingerprint`), which takes about 0.1 s
 * to find out, so the start scripts run it every time and never start stale code. Files are moved
 * into place chunks first, entries last, each with an atomic rename: a process starting during a
 * build loads either the old bundle or the new one, never a mix.
 */
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"

const root = join(import.meta.dirname, "..")
const dist = join(root, "dist")
const chunksDir = join(dist, "chunks")
const fingerprintFile = join(dist, ".fingerprint")
const sourceDirs = ["packages/domain/src", "packages/server/src", "packages/worker/src"]
const entries = {
  server: "packages/server/src/main.ts",
  worker: "packages/worker/src/main.ts",
  all: "packages/worker/src/all.ts"
}

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]
  )

const fingerprint = (): string => {
  const hash = createHash("sha256")
  for (const file of sourceDirs.flatMap((dir) => filesUnder(join(root, dir))).sort()) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0")
  }
  hash.update(readFileSync(join(root, "package-lock.json")))
  hash.update(readFileSync(import.meta.filename))
  return hash.digest("hex")
}

/** Bundled: Moim's packages, Effect and relative imports. Everything else is left to `node_modules`. */
const bundled = (id: string) =>
  id.startsWith(".") ||
  id.startsWith("/") ||
  id.startsWith("@moim/") ||
  id === "effect" ||
  id.startsWith("effect/") ||
  id.startsWith("@effect/")

const build = async (wanted: string) => {
  const { rolldown } = await import("rolldown")
  const staging = join(root, `dist.tmp-${process.pid}`)
  rmSync(staging, { recursive: true, force: true })
  const bundle = await rolldown({
    input: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(root, file)])),
    platform: "node",
    external: (id) => !bundled(id),
    logLevel: "warn"
  })
  await bundle.write({
    dir: staging,
    format: "esm",
    entryFileNames: "[name].mjs",
    chunkFileNames: "chunks/[name]-[hash].mjs",
    sourcemap: true
  })
  await bundle.close()
  mkdirSync(chunksDir, { recursive: true })
  const liveChunks = new Set(readdirSync(join(staging, "chunks")))
  for (const name of liveChunks) renameSync(join(staging, "chunks", name), join(chunksDir, name))
  for (const name of readdirSync(staging).filter((name) => name !== "chunks")) {
    renameSync(join(staging, name), join(dist, name))
  }
  rmSync(staging, { recursive: true, force: true })
  writeFileSync(fingerprintFile, wanted)
  // Chunks of earlier builds, once no process can still be loading them.
  for (const name of readdirSync(chunksDir)) {
    const path = join(chunksDir, name)
    if (!liveChunks.has(name) && Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true })
  }
}

const wanted = fingerprint()
const ifStale = process.argv.includes("--if-stale")
const current = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, "utf8") : ""
if (!ifStale || current !== wanted || Object.keys(entries).some((name) => !existsSync(join(dist, `${name}.mjs`)))) {
  const started = performance.now()
  await build(wanted)
  if (!ifStale)
    console.log(
      `bundled ${Object.keys(entries).join(", ")} into dist/ in ${Math.round(performance.now() - started)} ms`
    )
}
