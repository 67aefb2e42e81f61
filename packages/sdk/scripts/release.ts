import { execFileSync } from "node:child_process"
import { copyFile, mkdir, readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { Version } from "@moim/domain/Version"
import { isJsonObject, type Json } from "./OpenApiDocument.ts"
import { checkRelease, latestRelease, releasesDirectory } from "./ReleaseGate.ts"
import { findStaleFiles, generateSdkFiles, sdkRoot } from "./SdkFiles.ts"
import { sdkVersion } from "./SdkVersion.ts"

/**
 * Records the release of the SDK's current version: after the same checks as CI, copies
 * `openapi.json` to `releases/<version>.json`, the baseline later versions are compared with.
 * Run it when publishing, and commit the snapshot.
 */
const version = await sdkVersion(sdkRoot)
const target = join(releasesDirectory(sdkRoot), `${version}.json`)
const existing = await readFile(target, "utf8").catch(() => undefined)
if (existing !== undefined) throw new Error(`SDK ${version} is already released (releases/${version}.json)`)

if ((await findStaleFiles(sdkRoot, await generateSdkFiles())).length > 0) {
  throw new Error("Generated SDK files are stale: run `npm run generate` first")
}
const document: Json = JSON.parse(await readFile(join(sdkRoot, "openapi.json"), "utf8"))
if (!isJsonObject(document)) throw new Error("openapi.json is not an OpenAPI document")
const gate = checkRelease({
  current: document,
  sdkVersion: version,
  apiVersion: Version,
  released: await latestRelease(sdkRoot)
})
for (const message of gate.messages) console.log(message)
if (!gate.ok) throw new Error(`SDK ${version} cannot be released`)

await mkdir(dirname(target), { recursive: true })
await copyFile(join(sdkRoot, "openapi.json"), target)
// Biome formats JSON in the repository; the snapshot must pass `npm run lint` like any file.
const biome = join(dirname(createRequire(import.meta.url).resolve("@biomejs/biome/package.json")), "bin", "biome")
execFileSync(process.execPath, [biome, "format", "--write", target], { stdio: "inherit" })
console.log(`Recorded packages/sdk/releases/${version}.json: commit it with the release`)
