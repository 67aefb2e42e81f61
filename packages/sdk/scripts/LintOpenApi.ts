import spectralCore, { type RulesetDefinition } from "@stoplight/spectral-core"
import * as owaspModule from "@stoplight/spectral-owasp-ruleset"
import parsers from "@stoplight/spectral-parsers"
import * as rulesets from "@stoplight/spectral-rulesets"
import type { JsonObject } from "./OpenApiDocument.ts"

const { Document, Spectral } = spectralCore

export interface LintFinding {
  readonly rule: string
  readonly message: string
  readonly path: ReadonlyArray<string | number>
  readonly severity: number
}

// The rulesets' published types disagree with spectral-core's own (they are built against other
// versions of it); check the shape at run time instead.
const isRuleset = (value: unknown): value is RulesetDefinition =>
  typeof value === "object" && value !== null && "rules" in value

const asRuleset = (value: unknown): RulesetDefinition => {
  if (isRuleset(value)) return value
  throw new Error("Not a Spectral ruleset")
}

/**
 * Lints an OpenAPI document with Spectral's recommended OpenAPI rules and the OWASP API Security
 * Top 10 (2023) ruleset, as `spectral lint --ruleset` would (the CLI itself pulls in a telemetry
 * install script, the libraries do not).
 */
export const lintOpenApi = async (document: JsonObject): Promise<ReadonlyArray<LintFinding>> => {
  const spectral = new Spectral()
  spectral.setRuleset({
    extends: [
      [asRuleset(rulesets.oas), "recommended"],
      [asRuleset(owaspModule.default), "all"]
    ]
  })
  const results = await spectral.run(new Document(JSON.stringify(document, null, 2), parsers.Json))
  return results.map((result) => ({
    rule: String(result.code),
    message: result.message,
    path: result.path,
    severity: result.severity
  }))
}
