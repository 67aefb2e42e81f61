/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import { type LintFinding, lintOpenApi } from "../scripts/LintOpenApi.ts"
import { isJsonObject, type Json, type JsonObject, makeOpenApiDocument } from "../scripts/OpenApiDocument.ts"

/** Operations anyone may call without signing in; they cannot answer 401 and need no security. */
const publicOperations = new Set([
  "/api/v1/meta",
  "/api/v1/auth/signup",
  "/api/v1/auth/verify-email",
  "/api/v1/auth/login",
  "/api/v1/auth/login/second-factor",
  "/api/v1/auth/refresh",
  "/api/v1/auth/password-reset",
  "/api/v1/auth/password-reset/confirm",
  "/api/v1/auth/phone/code",
  "/api/v1/auth/phone/sign-in",
  "/api/v1/auth/oidc/{provider}/start",
  "/api/v1/auth/oidc/exchange",
  "/api/v1/notifications/email/unsubscribe"
])

/** Not rate limited: a constant answer from memory (meta), and the operator's token (ops). */
const unlimitedOperations = new Set(["/api/v1/meta", "/api/v1/ops/workers"])

interface Exemption {
  readonly rules: ReadonlyArray<string>
  readonly applies: (path: ReadonlyArray<string>) => boolean
  readonly why: string
}

/** Findings that describe a deliberate design, each with its reason. Everything else must be clean. */
const exemptions: ReadonlyArray<Exemption> = [
  {
    rules: [
      "owasp:api2:2023-read-restricted",
      "owasp:api2:2023-write-restricted",
      "owasp:api8:2023-define-error-responses-401"
    ],
    applies: ([, route]) => route !== undefined && publicOperations.has(route),
    why: "signing up, signing in (with a password, a texted code or an OpenID provider), reading the server's version and the unsubscribe links of emails cannot require a token"
  },
  {
    rules: ["owasp:api2:2023-no-credentials-in-url"],
    applies: ([, route]) => route === "/api/v1/notifications/email/unsubscribe",
    why:
      "an email's unsubscribe link carries its signed token in the URL: mail clients POST the List-Unsubscribe " +
      "URL as it is, with a fixed body (RFC 8058); the token can only turn that user's emails off"
  },
  {
    rules: ["owasp:api4:2023-rate-limit", "owasp:api4:2023-rate-limit-responses-429"],
    applies: ([, route]) => route !== undefined && unlimitedOperations.has(route),
    why: "meta is served from memory for less than a rate-limit check costs; ops needs the operator token"
  },
  {
    rules: ["owasp:api4:2023-rate-limit"],
    applies: (path) => path[3] === "responses" && (path[4] === "413" || path[4] === "415"),
    why: "413 and 415 are refused from the request headers, before any rate limit is consulted"
  },
  {
    rules: ["owasp:api5:2023-admin-security-unique", "oas3-operation-security-defined"],
    applies: ([, route]) => route?.startsWith("/api/v1/admin/") ?? false,
    why:
      "a site admin signs in like everyone and their role travels with the session; the role is documented " +
      'as `bearer: ["admin"]` (OpenAPI 3.1 role names), which Spectral\'s older rule reads as OAuth scopes'
  }
]

/** Component schemas a request can reach (bodies and parameters), following `$ref`s. */
const requestSchemas = (document: JsonObject): ReadonlySet<string> => {
  const components = isJsonObject(document.components) ? document.components : {}
  const schemas = isJsonObject(components.schemas) ? components.schemas : {}
  const reached = new Set<string>()
  const visit = (node: Json | undefined): void => {
    if (Array.isArray(node)) {
      node.forEach(visit)
      return
    }
    if (!isJsonObject(node)) return
    const ref = node.$ref
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
      const name = ref.slice("#/components/schemas/".length)
      if (!reached.has(name)) {
        reached.add(name)
        visit(schemas[name])
      }
    }
    Object.values(node).forEach(visit)
  }
  const paths = isJsonObject(document.paths) ? document.paths : {}
  for (const item of Object.values(paths)) {
    if (!isJsonObject(item)) continue
    for (const operation of Object.values(item)) {
      if (!isJsonObject(operation)) continue
      visit(operation.parameters)
      visit(operation.requestBody)
    }
  }
  return reached
}

/**
 * The request side: everything about what a client may send and what an operation declares
 * (security, limits, errors, headers), but not the shapes of response bodies.
 */
const isRequestSide = (finding: LintFinding, reachable: ReadonlySet<string>) => {
  const path = finding.path.map(String)
  if (path[0] === "components" && path[1] === "schemas") return reachable.has(path[2] ?? "")
  return !(path[0] === "paths" && path[3] === "responses" && path.includes("content"))
}

describe("the OpenAPI document under the OWASP API security ruleset", () => {
  it("has no request-side finding but the documented exemptions, and every exemption is still needed", async () => {
    const document = makeOpenApiDocument()
    const reachable = requestSchemas(document)
    const findings = (await lintOpenApi(document)).filter((finding) => isRequestSide(finding, reachable))
    const used = new Set<Exemption>()
    const remaining = findings.filter((finding) => {
      const path = finding.path.map(String)
      const exemption = exemptions.find(
        (candidate) => candidate.rules.includes(finding.rule) && candidate.applies(path)
      )
      if (exemption !== undefined) used.add(exemption)
      return exemption === undefined
    })
    expect(remaining.map((finding) => `${finding.rule} at ${finding.path.join(".")}: ${finding.message}`)).toEqual([])
    expect(exemptions.filter((exemption) => !used.has(exemption)).map((exemption) => exemption.why)).toEqual([])
  })
})
