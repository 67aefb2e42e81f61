import { Pong, SystemRpcs } from "@moim/domain/SystemRpcs"
import { DateTime, Effect, Schedule, Stream } from "effect"
import { ServerInfo } from "./ServerInfo.ts"

export const SystemRpc = SystemRpcs.toLayer(
  Effect.gen(function* () {
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
)
