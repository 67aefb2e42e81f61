import { Schema } from "effect"
import { Rpc, RpcGroup } from "effect/rpc"
import { Meta } from "./Meta.ts"
import { Timestamp } from "./Timestamp.ts"

export class Pong extends Schema.Class<Pong>("Pong")({
  sequence: Schema.Int,
  serverTime: Timestamp
}) {}

/** System RPCs: the same metadata as `GET /api/v1/meta`, and a heartbeat stream for connection checks. */
export class SystemRpcs extends RpcGroup.make(
  Rpc.make("GetMeta", { success: Meta }),
  Rpc.make("Heartbeat", {
    payload: {
      intervalMillis: Schema.Int.check(Schema.isBetween({ minimum: 100, maximum: 60_000 })),
      count: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))
    },
    success: Pong,
    stream: true
  })
) {}
