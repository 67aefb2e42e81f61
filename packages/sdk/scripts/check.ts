import { Version } from "@moim/domain/Version"
import { makeOpenApiDocument } from "./OpenApiDocument.ts"
import { checkRelease, latestRelease } from "./ReleaseGate.ts"
import { findStaleFiles, generateSdkFiles, sdkRoot } from "./SdkFiles.ts"
import { sdkVersion } from "./SdkVersion.ts"

/**
 * The SDK's CI checks: the generated files match the domain's `Api`, and the API has no breaking
 * change since the last released SDK unless the SDK's major version was raised.
 */
const document = makeOpenApiDocument()
let failed = false

const stale = await findStaleFiles(sdkRoot, await generateSdkFiles(document))
if (stale.length > 0) {
  failed = true
  console.error(`Generated SDK files are stale: ${stale.map((path) => `packages/sdk/${path}`).join(", ")}`)
  console.error("Run `npm run generate` and commit the result.")
} else {
  console.log("Generated SDK files are up to date")
}

const gate = checkRelease({
  current: document,
  sdkVersion: await sdkVersion(sdkRoot),
  apiVersion: Version,
  released: await latestRelease(sdkRoot)
})
for (const message of gate.messages) (gate.ok ? console.log : console.error)(message)
if (!gate.ok) failed = true

process.exitCode = failed ? 1 : 0
