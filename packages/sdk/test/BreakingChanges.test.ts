/** @module-tag no-database */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { compareDocuments } from "../scripts/BreakingChanges.ts"
import { isJsonObject, type Json, type JsonObject } from "../scripts/OpenApiDocument.ts"

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Json) => ({ content: { "application/json": { schema } } })

/** A small API in the shape HttpApi generates: one list with a query, one command with a body. */
const base: JsonObject = {
  openapi: "3.1.0",
  info: { title: "Fixture", version: "1.0.0" },
  paths: {
    "/api/v1/things": {
      get: {
        operationId: "things.list",
        parameters: [
          { name: "q", in: "query", required: false, schema: { type: "string", maxLength: 100 } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100 } }
        ],
        security: [],
        responses: {
          "200": { description: "A page", ...json(ref("ThingPage")) },
          "400": { description: "Invalid", ...json(ref("InvalidRequest")) }
        }
      },
      post: {
        operationId: "things.create",
        parameters: [],
        security: [{ bearer: [] }],
        requestBody: { required: true, ...json(ref("CreateThing")) },
        responses: {
          "201": { description: "Created", ...json(ref("Thing")) },
          "400": { description: "Invalid", ...json({ anyOf: [ref("InvalidRequest"), ref("NameTaken")] }) },
          "401": { description: "Unauthorized", ...json(ref("Unauthorized")) }
        }
      }
    }
  },
  components: {
    schemas: {
      Thing: {
        type: "object",
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          kind: { type: "string", enum: ["small", "large"] },
          note: { anyOf: [{ type: "string" }, { type: "null" }] },
          parent: { anyOf: [ref("Thing"), { type: "null" }] }
        },
        required: ["id", "name", "kind", "note", "parent"],
        additionalProperties: false
      },
      ThingPage: {
        type: "object",
        properties: { items: { type: "array", items: ref("Thing") }, nextCursor: { type: ["string", "null"] } },
        required: ["items", "nextCursor"],
        additionalProperties: false
      },
      CreateThing: {
        type: "object",
        properties: {
          name: { type: "string", minLength: 1, maxLength: 40 },
          kind: { type: "string", enum: ["small", "large"] },
          note: { type: "string" }
        },
        required: ["name", "kind"],
        additionalProperties: false
      },
      InvalidRequest: tagged("InvalidRequest"),
      NameTaken: tagged("NameTaken"),
      Unauthorized: tagged("Unauthorized")
    }
  }
}

function tagged(tag: string): Json {
  return {
    type: "object",
    properties: { _tag: { type: "string", enum: [tag] }, message: { type: "string" } },
    required: ["_tag", "message"],
    additionalProperties: false
  }
}

/** A copy of `document` with the value at `path` replaced (`undefined` deletes it). */
const edit = (
  document: Json,
  path: ReadonlyArray<string | number>,
  update: (value: Json | undefined) => Json | undefined
): Json => {
  const [key, ...rest] = path
  if (key === undefined) return update(document) ?? null
  if (Array.isArray(document) && typeof key === "number") {
    const copy = [...document]
    const next = rest.length === 0 ? update(copy[key]) : edit(copy[key] ?? null, rest, update)
    if (next === undefined) copy.splice(key, 1)
    else copy[key] = next
    return copy
  }
  if (!isJsonObject(document)) throw new Error(`cannot edit ${String(key)} of a non-object`)
  const current = document[String(key)]
  const next = rest.length === 0 ? update(current) : edit(current ?? {}, rest, update)
  const { [String(key)]: _, ...others } = document
  return next === undefined ? others : { ...others, [String(key)]: next }
}

const changed = (...edits: ReadonlyArray<(document: Json) => Json>): JsonObject => {
  const result = edits.reduce<Json>((document, apply) => apply(document), base)
  if (!isJsonObject(result)) throw new Error("the edit did not leave a document")
  return result
}

const set = (path: ReadonlyArray<string | number>, value: Json | undefined) => (document: Json) =>
  edit(document, path, () => value)
const remove = (path: ReadonlyArray<string | number>) => set(path, undefined)
const schema = (name: string, ...rest: ReadonlyArray<string | number>) => ["components", "schemas", name, ...rest]
const things = (method: "get" | "post", ...rest: ReadonlyArray<string | number>) => [
  "paths",
  "/api/v1/things",
  method,
  ...rest
]

const breaking = (after: JsonObject) =>
  compareDocuments(base, after)
    .filter((change) => change.breaking)
    .map((change) => `${change.where}: ${change.message}`)

describe("compareDocuments", () => {
  it("finds nothing to report between equal documents", () => {
    expect(compareDocuments(base, changed())).toEqual([])
  })

  it("finds nothing to report in the SDK's own document compared with itself", () => {
    const document: Json = JSON.parse(readFileSync(join(import.meta.dirname, "..", "openapi.json"), "utf8"))
    if (!isJsonObject(document)) throw new Error("openapi.json is not an object")
    expect(compareDocuments(document, document)).toEqual([])
  })

  describe("catches each kind of breaking change", () => {
    it("a removed operation", () => {
      expect(breaking(changed(remove(things("post"))))).toEqual([
        'POST /api/v1/things: operation "things.create" removed'
      ])
    })

    it("a renamed operationId, which renames the SDK method", () => {
      expect(breaking(changed(set(things("get", "operationId"), "things.all")))).toEqual([
        'GET /api/v1/things: operationId changed from "things.list" to "things.all"'
      ])
    })

    it("a removed response field", () => {
      expect(
        breaking(changed(remove(schema("Thing", "properties", "note")), set(schema("Thing", "required"), ["id"])))
      ).toContain("POST /api/v1/things 201.note: field removed")
    })

    it("a removed request field, even an optional one", () => {
      expect(breaking(changed(remove(schema("CreateThing", "properties", "note"))))).toEqual([
        "POST /api/v1/things request body.note: field removed"
      ])
    })

    it("a removed parameter", () => {
      expect(breaking(changed(remove(things("get", "parameters", 0))))).toEqual([
        "GET /api/v1/things query parameter q: parameter removed"
      ])
    })

    it("a removed enum value, in a request or a response", () => {
      expect(breaking(changed(set(schema("CreateThing", "properties", "kind", "enum"), ["small"])))).toEqual([
        'POST /api/v1/things request body.kind: enum value "large" removed'
      ])
      expect(breaking(changed(set(schema("Thing", "properties", "kind", "enum"), ["small"])))).toContain(
        'POST /api/v1/things 201.kind: enum value "large" removed'
      )
    })

    it("a removed error", () => {
      expect(
        breaking(changed(set(things("post", "responses", "400"), { description: "x", ...json(ref("InvalidRequest")) })))
      ).toEqual(["POST /api/v1/things 400: error NameTaken removed"])
      expect(breaking(changed(remove(things("post", "responses", "401"))))).toEqual([
        "POST /api/v1/things 401: response removed"
      ])
    })

    it("a narrowed request type: bounds, a type no longer accepted, a new pattern", () => {
      expect(breaking(changed(set(schema("CreateThing", "properties", "name", "maxLength"), 20)))).toEqual([
        "POST /api/v1/things request body.name: type narrowed: maximum length lowered from 40 to 20"
      ])
      expect(breaking(changed(set(things("get", "parameters", 1, "schema", "minimum"), 10)))).toEqual([
        "GET /api/v1/things query parameter limit: type narrowed: minimum raised from 1 to 10"
      ])
      expect(breaking(changed(set(schema("CreateThing", "properties", "note"), { type: "integer" })))).toEqual([
        "POST /api/v1/things request body.note: type narrowed: no longer accepts string"
      ])
      expect(breaking(changed(set(things("get", "parameters", 0, "schema", "pattern"), "^[a-z]+$")))).toEqual([
        'GET /api/v1/things query parameter q: type narrowed: pattern added: "^[a-z]+$"'
      ])
      expect(breaking(changed(set(schema("CreateThing", "properties", "note", "enum"), ["a", "b"])))).toEqual([
        'POST /api/v1/things request body.note: type narrowed: now only ["a","b"]'
      ])
    })

    it("a widened response type", () => {
      expect(breaking(changed(set(schema("Thing", "properties", "name"), { type: ["string", "null"] })))).toContain(
        "POST /api/v1/things 201.name: type widened: may now return null"
      )
      expect(breaking(changed(set(schema("Thing", "properties", "kind"), { type: "string" })))).toContain(
        'POST /api/v1/things 201.kind: type widened: was one of ["small","large"], now any string'
      )
    })

    it("a request field made required, or a new required field or parameter", () => {
      expect(breaking(changed(set(schema("CreateThing", "required"), ["name", "kind", "note"])))).toEqual([
        "POST /api/v1/things request body.note: field made required"
      ])
      expect(
        breaking(
          changed(
            set(schema("CreateThing", "properties", "color"), { type: "string" }),
            set(schema("CreateThing", "required"), ["name", "kind", "color"])
          )
        )
      ).toEqual(["POST /api/v1/things request body.color: required field added"])
      expect(breaking(changed(set(things("get", "parameters", 0, "required"), true)))).toEqual([
        "GET /api/v1/things query parameter q: parameter made required"
      ])
    })

    it("a response field made optional", () => {
      expect(breaking(changed(set(schema("Thing", "required"), ["id", "name", "kind", "parent"])))).toContain(
        "POST /api/v1/things 201.note: field made optional: responses may now leave it out"
      )
    })

    it("authentication required where it was not", () => {
      expect(breaking(changed(set(things("get", "security"), [{ bearer: [] }])))).toEqual([
        "GET /api/v1/things: now requires authentication (bearer)"
      ])
    })

    it("changes inside a recursive schema, once", () => {
      const after = changed(set(schema("Thing", "properties", "id"), { type: "integer" }))
      expect(breaking(after).filter((line) => line.startsWith("GET"))).toEqual([
        "GET /api/v1/things 200.items[].id: type widened: may now return integer"
      ])
    })
  })

  describe("lets additions pass", () => {
    const additions = {
      "an operation": set(["paths", "/api/v1/other"], { get: { operationId: "other.get", responses: {} } }),
      "an optional request field": set(schema("CreateThing", "properties", "color"), { type: "string" }),
      "a response field": set(schema("Thing", "properties", "createdAt"), { type: "string", format: "date-time" }),
      "an optional parameter": set(things("get", "parameters", 2), {
        name: "cursor",
        in: "query",
        required: false,
        schema: { type: "string" }
      }),
      "an enum value in a request": set(schema("CreateThing", "properties", "kind", "enum"), [
        "small",
        "large",
        "huge"
      ]),
      "an enum value in a response": set(schema("Thing", "properties", "kind", "enum"), ["small", "large", "huge"]),
      "a wider request type": set(schema("CreateThing", "properties", "name", "maxLength"), 80),
      "a null accepted in a request": set(schema("CreateThing", "properties", "note"), { type: ["string", "null"] }),
      "a narrower response type": set(schema("Thing", "properties", "note"), { type: "string" }),
      "a new error": set(things("get", "responses", "429"), {
        description: "Slow down",
        ...json(tagged("RateLimited"))
      }),
      "a new description": set(schema("Thing", "description"), "A thing")
    }
    for (const [name, addition] of Object.entries(additions)) {
      it(name, () => {
        expect(breaking(changed(addition))).toEqual([])
      })
    }

    it("and still lists them", () => {
      expect(compareDocuments(base, changed(additions["an operation"], additions["a new error"]))).toEqual([
        { breaking: false, where: "GET /api/v1/things 429", message: "response added: RateLimited" },
        { breaking: false, where: "GET /api/v1/other", message: 'operation "other.get" added' }
      ])
    })
  })
})
