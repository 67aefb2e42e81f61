/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import { Schema, SchemaAST } from "effect"
import { OpenApi } from "effect/http-api"
import { Rpc } from "effect/rpc"
import { Api } from "../src/Api.ts"
import { Features } from "../src/Features.ts"
import type * as Operation from "../src/Kit/Operation.ts"
import { Rpcs } from "../src/Rpcs.ts"

/** Errors any REST request may meet before its operation runs; RPC has no such transport answers. */
const restTransportErrors = new Set(["PayloadTooLarge", "UnsupportedMediaType", "InternalServerError"])

const isRecord = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Every `_tag` a JSON Schema names, following its definitions. */
const tagsIn = (node: unknown, into: Set<string> = new Set()): Set<string> => {
  if (Array.isArray(node)) for (const item of node) tagsIn(item, into)
  if (!isRecord(node)) return into
  const tag = isRecord(node.properties) && isRecord(node.properties._tag) ? node.properties._tag.enum : undefined
  if (Array.isArray(tag)) for (const value of tag) if (typeof value === "string") into.add(value)
  for (const value of Object.values(node)) tagsIn(value, into)
  return into
}

/** The field names of a struct schema, whatever codec wraps it. */
const fieldsOf = (schema: Schema.Top | undefined): ReadonlyArray<string> => {
  const ast = schema === undefined ? undefined : SchemaAST.toType(schema.ast)
  return ast?._tag === "Objects" ? ast.propertySignatures.map((property) => String(property.name)) : []
}

const typeDocument = (schema: Schema.Top) => JSON.stringify(Schema.toJsonSchemaDocument(Schema.toType(schema)))

const document: unknown = JSON.parse(JSON.stringify(OpenApi.fromApi(Api)))
const restGroups = new Map(Object.entries(Api.groups))
const restErrors = (path: string, method: string): ReadonlyArray<string> => {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {}
  const item = paths[path]
  const operation = isRecord(item) ? item[method] : undefined
  const responses = isRecord(operation) && isRecord(operation.responses) ? operation.responses : {}
  // The tags of the schemas each error response references.
  const own = new Set<string>()
  for (const [status, response] of Object.entries(responses)) {
    if (status.startsWith("2")) continue
    const refs = JSON.stringify(response).match(/#\/components\/(schemas|responses)\/[A-Za-z]+/g) ?? []
    for (const ref of refs) {
      const [, , kind, name] = ref.split("/")
      const components = isRecord(document) && isRecord(document.components) ? document.components : {}
      const section = components[kind ?? ""]
      tagsIn(isRecord(section) ? section[name ?? ""] : undefined, own)
    }
    tagsIn(response, own)
  }
  return [...own].filter((tag) => !restTransportErrors.has(tag)).sort()
}

/** The tags of an `Exit` itself, which carry the errors rather than being them. */
const exitTags = new Set(["Success", "Failure", "Fail", "Die", "Interrupt"])

/** The tags of an RPC's errors: those of its `Exit`, less the exit's own and a tagged success's (a sign-in's challenge). */
const rpcErrors = (rpc: Rpc.Any, successSchema: Schema.Top): ReadonlyArray<string> => {
  const success = tagsIn(Schema.toJsonSchemaDocument(successSchema))
  return [...tagsIn(Schema.toJsonSchemaDocument(Rpc.exitSchema(rpc)))]
    .filter((tag) => !exitTags.has(tag) && !success.has(tag))
    .sort()
}

const operations: ReadonlyArray<Operation.Any> = Features.flatMap((feature) => feature.operations)

describe("every operation, REST and RPC alike", () => {
  it("every REST endpoint and every RPC is an operation's, or listed as one-surface-only with its reason", () => {
    const paired = new Set(operations.map((operation) => operation.endpoint.identifier))
    const restOnly = new Set(Features.flatMap((feature) => feature.restOnly.map((entry) => entry.name)))
    const unpairedRest = Object.entries(Api.groups).flatMap(([group, value]) =>
      Object.keys(value.endpoints)
        .filter((name) => !restOnly.has(`${group}.${name}`))
        .filter(
          (name) =>
            !operations.some((operation) => operation.endpoint.identifier === name && groupOf(operation) === group)
        )
        .map((name) => `${group}.${name}`)
    )
    expect(unpairedRest).toEqual([])
    expect(paired.size).toBeGreaterThan(0)

    const rpcOnly = new Set(Features.flatMap((feature) => feature.rpcOnly.map((entry) => entry.name)))
    const operationTags = new Set(operations.map((operation) => operation.rpc._tag))
    const unpairedRpcs = [...Rpcs.requests.keys()].filter((tag) => !operationTags.has(tag) && !rpcOnly.has(tag))
    expect(unpairedRpcs).toEqual([])
    for (const tag of rpcOnly) expect(Rpcs.requests.has(tag), tag).toBe(true)
  })

  for (const operation of operations) {
    const group = groupOf(operation)
    const endpoints = new Map(Object.entries(restGroups.get(group)?.endpoints ?? {}))
    const endpoint = endpoints.get(operation.endpoint.identifier)
    const rpc = Rpcs.requests.get(operation.rpc._tag)

    it(`${operation.rpc._tag}: same input, success, errors and access on both surfaces`, () => {
      expect(endpoint, `${group}.${operation.endpoint.identifier} in the REST API`).toBeDefined()
      expect(rpc, `${operation.rpc._tag} in the RPC group`).toBeDefined()
      if (endpoint === undefined || rpc === undefined) return

      const bodySchemas = [...endpoint.payload.values()].flatMap((entry) => entry.schemas)
      const bodyFields =
        operation.body?._tag === "Named"
          ? [operation.body.name]
          : bodySchemas.flatMap((schema) => (schema.ast._tag === "Null" ? [] : fieldsOf(schema)))
      // An edit's `If-Match` header is the RPC's `expectedVersion` field.
      const headers = fieldsOf(endpoint.headers?.schema)
      expect(headers).toEqual(operation.ifMatch ? ["if-match"] : [])
      const restInput = [
        ...fieldsOf(endpoint.params?.schema),
        ...fieldsOf(endpoint.query?.schema),
        ...bodyFields,
        ...(operation.ifMatch ? ["expectedVersion"] : [])
      ]
      expect([...restInput].sort()).toEqual([...fieldsOf(rpc.payloadSchema)].sort())

      const restSuccess = [...endpoint.success].map(typeDocument)
      if (restSuccess.length === 0) expect(rpc.successSchema.ast._tag).toBe("Void")
      else expect(restSuccess).toEqual([typeDocument(rpc.successSchema)])

      const path = `/api/v1${operation.endpoint.path}`.replace(/:(\w+)/g, "{$1}")
      const method = operation.endpoint.method.toLowerCase()
      // The key's errors come with the access middleware every RPC shares; REST documents them only
      // where a key is read, on unsafe methods (a safe call ignores the header on both surfaces).
      const keyErrors = new Set(["IdempotencyKeyInProgress", "IdempotencyKeyReused"])
      const unsafe = ["post", "put", "patch", "delete"].includes(method)
      expect(restErrors(path, method)).toEqual(
        rpcErrors(rpc, rpc.successSchema).filter((tag) => unsafe || !keyErrors.has(tag))
      )

      const restMiddleware = [...endpoint.middlewares].map((middleware) => middleware.key)
      const rpcMiddleware = [...rpc.middlewares].map((middleware) => middleware.key)
      const access = accessKeys[operation.access]
      expect(restMiddleware).toContain(access.http)
      expect(rpcMiddleware).toContain(access.rpc)
    })
  }
})

const accessKeys = {
  signedIn: { http: "@moim/domain/Authentication", rpc: "@moim/domain/RpcAuthentication" },
  anyone: { http: "@moim/domain/OptionalAuthentication", rpc: "@moim/domain/RpcOptionalAuthentication" },
  public: { http: "@moim/domain/PublicRateLimit", rpc: "@moim/domain/RpcPublicRateLimit" },
  open: { http: "@moim/domain/OpenAccess", rpc: "@moim/domain/RpcOpenAccess" }
}

function groupOf(operation: Operation.Any): string {
  for (const feature of Features) {
    if (!feature.operations.includes(operation)) continue
    for (const group of feature.rest) {
      if (Object.values(group.endpoints).includes(operation.endpoint)) return group.identifier
    }
  }
  return "unknown"
}
