import { versionOfIfMatch } from "@moim/domain/Kit/ConditionalRequests"
import type * as Operation from "@moim/domain/Kit/Operation"
import { Effect } from "effect"
import type { HttpApiEndpoint } from "effect/http-api"
import type { Rpc } from "effect/rpc"
import { ResponseExtras } from "./ResponseExtras.ts"

/** What a REST handler receives that matters to an operation: its decoded parts (and more). */
interface RestRequest {
  readonly params?: object
  readonly query?: object
  readonly headers?: { readonly "if-match"?: string | undefined }
  readonly payload?: unknown
  readonly [other: string]: unknown
}

/**
 * The operation's one handler takes the RPC payload: the path parameters, query parameters and
 * body fields in one value (nothing, when there are none). A REST request carries them apart; this
 * puts them together.
 */
const inputOf = (operation: Operation.Any, request: RestRequest): unknown => {
  const body = operation.body
  const ifMatch = request.headers?.["if-match"]
  const expected = operation.ifMatch && ifMatch !== undefined ? versionOfIfMatch(ifMatch) : undefined
  const parts = {
    ...request.params,
    ...request.query,
    ...(expected === undefined ? {} : { expectedVersion: expected })
  }
  const input =
    body === undefined
      ? parts
      : body._tag === "Named"
        ? { ...parts, [body.name]: request.payload }
        : { ...parts, ...(typeof request.payload === "object" && request.payload !== null ? request.payload : {}) }
  return operation.hasInput ? input : undefined
}

/**
 * The REST handler of an operation, from the handler its RPC is implemented with: each feature
 * writes one handler per operation (`FeatureRpcs.of({ GetGroup: ... })`) and registers it on both
 * surfaces, `handlers.handleAll({ ...Operations.rest(GetGroup, rpc.GetGroup), ... })` for REST.
 * Both run behind the same middleware, so they cannot differ. An operation whose success is
 * `versioned` also hands the resource's edit version to the `ETag` (`ResponseExtras`, `ConditionalRequests.ts`).
 */
export const rest = <E extends HttpApiEndpoint.Top, R extends Rpc.Any, A, Err, Req>(
  operation: Operation.Operation<E, R>,
  handler: (input: Rpc.Payload<R>) => Effect.Effect<A, Err, Req>
) => {
  // The REST parts were decoded with the same schemas the RPC payload is made of.
  const run = (request: RestRequest) => {
    const result = handler(inputOf(operation, request) as Rpc.Payload<R>)
    return operation.versioned ? Effect.tap(result, ResponseExtras.recordVersion) : result
  }
  const entry: Record<string, typeof run> = { [operation.endpoint.identifier]: run }
  return entry as Record<HttpApiEndpoint.Identifier<E>, typeof run>
}
