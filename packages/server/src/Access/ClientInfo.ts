import { Effect, Option } from "effect"
import { ResponseExtras } from "../http/ResponseExtras.ts"

/**
 * Who is calling, as the server saw the connection: the client's address (from the socket, or
 * from `X-Forwarded-For` when `TRUST_PROXY` is set) and its user agent.
 *
 * `ServerMiddleware` gives it to every request in the request's own holder (`ResponseExtras`),
 * never as a header: RPC calls carry headers of their own that the client writes, and the RPC server
 * merges them over the HTTP request's, so a value in a header could be forged per call. RPC handlers
 * run in the context of the HTTP request (or WebSocket upgrade) that carried them, so REST and RPC
 * read the same value. It rides in that holder rather than as a service of its own because each
 * service provided per request deepens the request's context, and past eight Effect copies it whole.
 */
export interface ClientInfo {
  readonly ip: string | null
  readonly userAgent: string | null
}

export const ClientInfo = {
  /** The current request's client, if there is a request (not in a job). */
  currentOption: Effect.map(
    Effect.serviceOption(ResponseExtras),
    Option.map((holder): ClientInfo => holder.client)
  ) satisfies Effect.Effect<Option.Option<ClientInfo>>,

  /** The current request's client. Every route runs inside `ServerMiddleware`, so it is always there. */
  current: Effect.flatMap(
    Effect.serviceOption(ResponseExtras),
    Option.match({
      onNone: () => Effect.die(new Error("ClientInfo is provided by ServerMiddleware to every request")),
      onSome: (holder) => Effect.succeed<ClientInfo>(holder.client)
    })
  ) satisfies Effect.Effect<ClientInfo>
}
