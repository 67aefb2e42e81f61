import { Api } from "@moim/domain/Api"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ServerInfo } from "./ServerInfo.ts"

export const SystemHttp = HttpApiBuilder.group(
  Api,
  "system",
  Effect.fn(function* (handlers) {
    const info = yield* ServerInfo
    return handlers.handle("meta", () => Effect.succeed(info.meta))
  })
)
