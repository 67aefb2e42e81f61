import { OpsAuth, OpsUnauthorized } from "@moim/domain/Ops/OpsAuth"
import { Effect, Layer, Redacted } from "effect"
import { AppConfig } from "../platform/AppConfig.ts"
import { makeOpsTokenCheck } from "./OpsToken.ts"

/** Checks the bearer token against `MOIM_OPS_TOKEN`; without the setting, refuses all. */
export const OpsAuthLive = Layer.effect(
  OpsAuth,
  Effect.gen(function* () {
    const check = makeOpsTokenCheck(yield* AppConfig)
    return OpsAuth.of({
      opsToken: (httpEffect, { credential }) => {
        const result = check(Redacted.value(credential))
        if (result === "valid") return httpEffect
        return Effect.fail(
          new OpsUnauthorized({
            message:
              result === "disabled"
                ? "Operator endpoints are disabled: set MOIM_OPS_TOKEN to enable them"
                : "Invalid operator token"
          })
        )
      }
    })
  })
)
