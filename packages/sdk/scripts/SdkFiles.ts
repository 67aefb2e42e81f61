import { readFile } from "node:fs/promises"
import { join } from "node:path"
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript"
import { type JsonObject, makeOpenApiDocument } from "./OpenApiDocument.ts"
import { makeOperationTable, renderOperationTable } from "./OperationTable.ts"

/** A generated file, its path relative to `packages/sdk`. */
export interface SdkFile {
  readonly path: string
  readonly content: string
}

/** `packages/sdk`, where the generated files live. */
export const sdkRoot = join(import.meta.dirname, "..")

/**
 * Everything `npm run generate` writes, computed in memory from the domain's `Api`: the OpenAPI
 * document, its `openapi-typescript` types and the operation table of the client.
 */
export const generateSdkFiles = async (
  document: JsonObject = makeOpenApiDocument()
): Promise<ReadonlyArray<SdkFile>> => {
  const ast = await openapiTS(JSON.stringify(document), { immutable: true, silent: true })
  return [
    { path: "openapi.json", content: `${JSON.stringify(document, null, 2)}\n` },
    { path: "src/generated/schema.ts", content: COMMENT_HEADER + astToString(ast) },
    { path: "src/generated/operations.ts", content: renderOperationTable(makeOperationTable(document)) }
  ]
}

/** The files under `root` that are missing or differ from `files`. */
export const findStaleFiles = async (root: string, files: ReadonlyArray<SdkFile>): Promise<ReadonlyArray<string>> => {
  const stale: Array<string> = []
  for (const file of files) {
    const current = await readFile(join(root, file.path), "utf8").catch(() => undefined)
    if (current !== file.content) stale.push(file.path)
  }
  return stale
}
