import { Context, Effect, Option } from "effect"

/**
 * Who is calling, as the server saw the connection: the client's address (from the socket, or
 * from `X-Forwarded-For` when `TRUST_PROXY` is set) and its user agent.
 *
 * `ServerMiddleware` provides it to every request as a service, never as a header: RPC calls carry
 * headers of their own that the client writes, and the RPC server merges them over the HTTP
 * request's, so a value in a header could be forged per call. RPC handlers run in the context of
 * the HTTP request (or WebSocket upgrade) that carried them, so REST and RPC read the same value.
 */
export class ClientInfo extends Context.Service<
  ClientInfo,
  {
    readonly ip: string | null
    readonly userAgent: string | null
  }
>()("@moim/server/http/ClientInfo") {
  /** The current request's client. Every route runs inside `ServerMiddleware`, so it is always there. */
  static readonly current: Effect.Effect<ClientInfo["Service"]> = Effect.flatMap(
    Effect.serviceOption(ClientInfo),
    Option.match({
      onNone: () => Effect.die(new Error("ClientInfo is provided by ServerMiddleware to every request")),
      onSome: Effect.succeed
    })
  )
}
