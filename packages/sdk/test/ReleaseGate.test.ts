/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import type { JsonObject } from "../scripts/OpenApiDocument.ts"
import { checkRelease, majorLine } from "../scripts/ReleaseGate.ts"

const documentWith = (paths: JsonObject): JsonObject => ({
  openapi: "3.1.0",
  info: { title: "Fixture", version: "1.0.0" },
  paths
})
const meta = { get: { operationId: "system.meta", responses: {} } }
const released = { version: "1.2.0", document: documentWith({ "/api/v1/meta": meta }) }
const withoutMeta = documentWith({})
const withMore = documentWith({ "/api/v1/meta": meta, "/api/v1/me": { get: { operationId: "me.get", responses: {} } } })

describe("the release gate", () => {
  it("treats 0.y as the major line before 1.0, as semver and npm's ^ do", () => {
    expect(majorLine("1.4.2")).toBe("1")
    expect(majorLine("0.3.1")).toBe("0.3")
    expect(majorLine("2.0.0-beta.1")).toBe("2")
  })

  it("passes without a released version to compare with", () => {
    const gate = checkRelease({ current: withoutMeta, sdkVersion: "0.1.0", apiVersion: "0.1.0", released: undefined })
    expect(gate.ok).toBe(true)
    expect(gate.messages).toEqual(["No SDK version has been released yet: no baseline to compare with"])
  })

  it("fails on a breaking change within the released major", () => {
    const gate = checkRelease({ current: withoutMeta, sdkVersion: "1.3.0", apiVersion: "1.3.0", released })
    expect(gate.ok).toBe(false)
    expect(gate.messages).toContain('  BREAKING  GET /api/v1/meta: operation "system.meta" removed')
  })

  it("accepts a breaking change released as a new major", () => {
    const gate = checkRelease({ current: withoutMeta, sdkVersion: "2.0.0", apiVersion: "2.0.0", released })
    expect(gate.ok).toBe(true)
    expect(gate.changes.filter((change) => change.breaking)).toHaveLength(1)
  })

  it("accepts additions within the released major", () => {
    expect(checkRelease({ current: withMore, sdkVersion: "1.3.0", apiVersion: "1.1.0", released }).ok).toBe(true)
  })

  it("fails when the SDK's major does not follow the API's, or the SDK is older than its last release", () => {
    expect(checkRelease({ current: withMore, sdkVersion: "2.0.0", apiVersion: "1.4.0", released }).ok).toBe(false)
    expect(checkRelease({ current: withMore, sdkVersion: "1.1.0", apiVersion: "1.1.0", released }).ok).toBe(false)
  })
})
