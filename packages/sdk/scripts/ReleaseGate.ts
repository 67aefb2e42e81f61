import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { type ApiChange, compareDocuments } from "./BreakingChanges.ts"
import { isJsonObject, type Json, type JsonObject } from "./OpenApiDocument.ts"

/** A released SDK version and the OpenAPI document it was generated from. */
export interface Release {
  readonly version: string
  readonly document: JsonObject
}

export interface GateResult {
  readonly ok: boolean
  readonly changes: ReadonlyArray<ApiChange>
  readonly messages: ReadonlyArray<string>
}

const parse = (version: string): readonly [number, number, number] => {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version)
  if (match === null) throw new Error(`"${version}" is not a semver version`)
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}

export const compareVersions = (a: string, b: string): number => {
  const [x, y] = [parse(a), parse(b)]
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

/**
 * The part of a version that semver (and npm's `^` ranges) treat as its major: `1` for 1.4.2, and
 * `0.3` for 0.3.1, since before 1.0 each minor may break.
 */
export const majorLine = (version: string): string => {
  const [major, minor] = parse(version)
  return major > 0 ? String(major) : `0.${minor}`
}

/**
 * Decides whether the SDK may be released with `current`: its major follows the API's, it is not
 * older than the last release, and a breaking change against the last release's document comes
 * with a new major.
 */
export const checkRelease = (options: {
  readonly current: JsonObject
  readonly sdkVersion: string
  readonly apiVersion: string
  readonly released: Release | undefined
}): GateResult => {
  const { current, sdkVersion, apiVersion, released } = options
  const messages: Array<string> = []
  let ok = true
  if (majorLine(sdkVersion) !== majorLine(apiVersion)) {
    ok = false
    messages.push(`SDK ${sdkVersion} does not follow API ${apiVersion}: their majors must match`)
  }
  if (released === undefined) {
    messages.push("No SDK version has been released yet: no baseline to compare with")
    return { ok, changes: [], messages }
  }
  if (compareVersions(sdkVersion, released.version) < 0) {
    ok = false
    messages.push(`SDK ${sdkVersion} is older than the released ${released.version}`)
  }
  const changes = compareDocuments(released.document, current)
  const breaking = changes.filter((change) => change.breaking)
  const majorRaised = majorLine(sdkVersion) !== majorLine(released.version)
  if (breaking.length > 0 && !majorRaised) {
    ok = false
    messages.push(
      `${breaking.length} breaking change(s) since SDK ${released.version}; raise the major version (SDK and API) or undo them:`
    )
  } else if (breaking.length > 0) {
    messages.push(`${breaking.length} breaking change(s) since SDK ${released.version}, released as a new major:`)
  } else {
    messages.push(`No breaking change since SDK ${released.version}`)
  }
  for (const change of changes) {
    messages.push(`  ${change.breaking ? "BREAKING" : "added/changed"}  ${change.where}: ${change.message}`)
  }
  return { ok, changes, messages }
}

/** `releases/<version>.json`: the OpenAPI document of each released SDK version. */
export const releasesDirectory = (sdkRoot: string) => join(sdkRoot, "releases")

/** The newest release snapshot, if any. */
export const latestRelease = async (sdkRoot: string): Promise<Release | undefined> => {
  const directory = releasesDirectory(sdkRoot)
  const names = await readdir(directory).catch(() => [])
  const versions = names
    .filter((name) => /^\d+\.\d+\.\d+.*\.json$/.test(name))
    .map((name) => name.slice(0, -".json".length))
    .sort(compareVersions)
  const version = versions.at(-1)
  if (version === undefined) return undefined
  const document: Json = JSON.parse(await readFile(join(directory, `${version}.json`), "utf8"))
  if (!isJsonObject(document)) throw new Error(`releases/${version}.json is not an OpenAPI document`)
  return { version, document }
}
