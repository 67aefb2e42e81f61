import type { Headers } from "effect/http"
import { clientAddressHeader } from "../http/ServerMiddleware.ts"
import type { ClientInfo } from "./AccountsRepo.ts"

/** The caller's address and user agent, from the headers of a REST request or an RPC call. */
export const clientInfo = (headers: Headers.Headers): ClientInfo => ({
  ip: headers[clientAddressHeader] ?? null,
  userAgent: headers["user-agent"]?.slice(0, 300) ?? null
})
