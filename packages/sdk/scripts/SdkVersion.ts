import { readFile } from "node:fs/promises"
import { join } from "node:path"

/** The `version` of `packages/sdk/package.json`. */
export const sdkVersion = async (sdkRoot: string): Promise<string> => {
  const manifest: { readonly version?: unknown } = JSON.parse(await readFile(join(sdkRoot, "package.json"), "utf8"))
  if (typeof manifest.version !== "string") throw new Error("packages/sdk/package.json has no version")
  return manifest.version
}
