import { createHash, timingSafeEqual } from "node:crypto"
import { OpsAuth, OpsUnauthorized } from "@moim/domain/OpsAuth"
import { Effect, Layer, Option, Redacted } from "effect"
import { AppConfig } from "../platform/AppConfig.ts"

const digest = (value: string) => createHash("sha256").update(value).digest()

/** Checks the bearer token against `MOIM_OPS_TOKEN` in constant time; without the setting, refuses all. */
export const OpsAuthLive = Layer.effect(
  OpsAuth,
  Effect.gen(function* () {
    const config = yield* AppConfig
    const expected = Option.map(config.opsToken, (token) => digest(Redacted.value(token)))
    return OpsAuth.of({
      opsToken: (httpEffect, { credential }) => {
        if (Option.isNone(expected)) {
          return Effect.fail(
            new OpsUnauthorized({ message: "Operator endpoints are disabled: set MOIM_OPS_TOKEN to enable them" })
          )
        }
        if (!timingSafeEqual(digest(Redacted.value(credential)), expected.value)) {
          return Effect.fail(new OpsUnauthorized({ message: "Invalid operator token" }))
        }
        return httpEffect
      }
    })
  })
)
