import { Api } from "@moim/domain/Api"
import { GetMeta, Pong, SystemRpcs } from "@moim/domain/System/SystemApi"
import { DateTime, Effect, Schedule, Stream } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import * as Operations from "../http/Operations.ts"
import { ServerInfo } from "./ServerInfo.ts"

/** One handler per system operation; `Heartbeat` is RPC only (a stream). */
const handlers = Effect.gen(function* () {
  const info = yield* ServerInfo
  return SystemRpcs.of({
    GetMeta: () => Effect.succeed(info.meta),
    Heartbeat: ({ intervalMillis, count }) =>
      Stream.fromSchedule(Schedule.spaced(intervalMillis)).pipe(
        Stream.take(count),
        Stream.mapEffect((sequence) => Effect.map(DateTime.now, (serverTime) => new Pong({ sequence, serverTime })))
      )
  })
})

export const SystemRpc = SystemRpcs.toLayer(handlers)

export const SystemHttp = HttpApiBuilder.group(Api, "system", (group) =>
  Effect.map(handlers, (handler) => group.handleAll({ ...Operations.rest(GetMeta, handler.GetMeta) }))
)
