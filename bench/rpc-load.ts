import { NodeSocket } from "@effect/platform-node"
import { layerRpcClientMiddleware } from "@moim/domain/Kit/RpcClientMiddleware"
import { Rpcs } from "@moim/domain/Rpcs"
import { Deferred, Effect, Exit, Layer, Option } from "effect"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { type Measurement, round, Samples } from "./stats.ts"

export type MoimRpcClient = Effect.Success<ReturnType<typeof makeClient>>

const makeClient = () => RpcClient.make(Rpcs, { disableTracing: true })

export interface RpcLoad {
  readonly wsUrl: string
  readonly callers: number
  readonly warmupSeconds: number
  readonly seconds: number
  /** One call by caller `index`; its latency is measured around it. */
  readonly call: (client: MoimRpcClient, index: number) => Effect.Effect<unknown, unknown>
  /** Called when the warm-up ends and the measured window begins. */
  readonly onMeasureStart?: () => void
}

/**
 * Drives `callers` concurrent RPC callers, each with its own WebSocket (as separate frontends
 * would have), calling in a loop: first for the warm-up (not measured), then for `seconds`.
 * Every caller opens its socket and makes one call before the clock starts.
 */
export const runRpc = (load: RpcLoad): Promise<Measurement> => {
  const samples = new Samples()
  const failureDetail: Record<string, number> = {}
  const protocol = RpcClient.layerProtocolSocket().pipe(
    Layer.provide([NodeSocket.layerWebSocket(load.wsUrl), RpcSerialization.layerJson])
  )

  const program = Effect.gen(function* () {
    const connected = yield* Deferred.make<void>()
    let ready = 0
    const window = { measureFrom: Number.POSITIVE_INFINITY, until: Number.POSITIVE_INFINITY }

    const caller = (index: number) =>
      Effect.gen(function* () {
        const client = yield* makeClient()
        yield* load.call(client, index).pipe(Effect.ignore)
        ready += 1
        if (ready === load.callers) {
          const now = performance.now()
          window.measureFrom = now + load.warmupSeconds * 1000
          window.until = window.measureFrom + load.seconds * 1000
          yield* Deferred.succeed(connected, undefined)
          if (load.onMeasureStart !== undefined) {
            const onMeasureStart = load.onMeasureStart
            yield* Effect.sleep(load.warmupSeconds * 1000).pipe(
              Effect.andThen(Effect.sync(onMeasureStart)),
              Effect.forkDetach
            )
          }
        }
        yield* Deferred.await(connected)
        while (performance.now() < window.until) {
          const started = performance.now()
          const exit = yield* Effect.exit(load.call(client, index))
          if (started < window.measureFrom) continue
          if (Exit.isSuccess(exit)) samples.add(performance.now() - started)
          else {
            const reason = Exit.findErrorOption(exit).pipe(
              Option.map((error) =>
                typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : String(error)
              ),
              Option.getOrElse(() => "defect")
            )
            failureDetail[reason] = (failureDetail[reason] ?? 0) + 1
          }
        }
      }).pipe(
        Effect.provide(
          // Anonymous callers: the client middleware is required, but it adds no token.
          Layer.merge(protocol, layerRpcClientMiddleware(Effect.succeed(Option.none<string>()))),
          { local: true }
        ),
        Effect.scoped
      )

    yield* Effect.forEach(
      Array.from({ length: load.callers }, (_, index) => index),
      caller,
      {
        concurrency: "unbounded",
        discard: true
      }
    )
    return window
  })

  return Effect.runPromise(program).then((window) => {
    const seconds = (window.until - window.measureFrom) / 1000
    const failures = Object.values(failureDetail).reduce((sum, value) => sum + value, 0)
    return {
      requests: samples.count,
      seconds: round(seconds, 1),
      requestsPerSecond: round(samples.count / seconds, 1),
      latencyMs: samples.summary(),
      failures,
      failureDetail
    }
  })
}
