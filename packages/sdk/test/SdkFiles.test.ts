/** @module-tag no-database */
import { mkdtempSync, rmSync } from "node:fs"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import type { JsonObject } from "../scripts/OpenApiDocument.ts"
import { makeOperationTable } from "../scripts/OperationTable.ts"
import { findStaleFiles, generateSdkFiles } from "../scripts/SdkFiles.ts"

const withDirectory = async (use: (directory: string) => Promise<void>) => {
  const directory = mkdtempSync(join(tmpdir(), "moim-sdk-files-"))
  try {
    await use(directory)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

const documentWith = (operationId: string): JsonObject => ({
  openapi: "3.1.0",
  info: { title: "Fixture", version: "1.0.0" },
  paths: { "/api/v1/x": { get: { operationId, responses: {} } } }
})

describe("the generated SDK files", () => {
  it("are found stale when missing or different from what the domain's Api generates", async () => {
    const files = await generateSdkFiles()
    expect(files.map((file) => file.path)).toEqual([
      "openapi.json",
      "src/generated/schema.ts",
      "src/generated/operations.ts"
    ])
    await withDirectory(async (directory) => {
      expect(await findStaleFiles(directory, files)).toEqual(files.map((file) => file.path))
      for (const file of files) {
        await mkdir(dirname(join(directory, file.path)), { recursive: true })
        await writeFile(join(directory, file.path), file.content)
      }
      expect(await findStaleFiles(directory, files)).toEqual([])

      const schema = join(directory, "src/generated/schema.ts")
      await writeFile(schema, (await readFile(schema, "utf8")).replace("readonly", "mutable"))
      expect(await findStaleFiles(directory, files)).toEqual(["src/generated/schema.ts"])
    })
  })

  it("describe every operation of the document, with its errors and whether it pages", async () => {
    const [openapi, schema, operations] = await generateSdkFiles()
    const document: { paths: Record<string, Record<string, { operationId: string }>> } = JSON.parse(
      openapi?.content ?? ""
    )
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
    expect(ids).toContain("system.meta")
    for (const id of ids) {
      expect(operations?.content).toContain(`"${id}": {`)
      expect(schema?.content).toContain(`"${id}": {`)
    }
    expect(operations?.content).toContain(
      '"system.meta": {"method":"get","path":"/api/v1/meta","security":[],"errors":{"400":["InvalidRequest"]},"paginated":false,"issuesSession":false,"events":false}'
    )
    expect(operations?.content).toMatch(/"stream\.open": \{[^\n]*"events":true\}/)
  })

  it("refuse an operationId the client cannot turn into client.<group>.<name>", () => {
    expect(() => makeOperationTable(documentWith("meta"))).toThrow('operationId "meta" is not "<group>.<name>"')
    expect(() => makeOperationTable(documentWith("raw.get"))).toThrow('the client reserves "raw"')
    expect(() => makeOperationTable(documentWith("system.get-meta"))).toThrow("two JavaScript identifiers")
    expect(makeOperationTable(documentWith("system.meta")).operations["system.meta"]?.path).toBe("/api/v1/x")
  })
})
