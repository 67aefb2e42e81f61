import { Api } from "@moim/domain/Api"
import { Effect } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import * as TestServer from "./TestServer.ts"

/**
 * The typed REST client (built from the same `Api` the server serves) pointed at this file's test
 * server, sending `token` as the bearer token. Responses are decoded with the declared schemas and
 * declared errors arrive as typed failures, so a test reads `yield* client.groups.get(...)` and
 * `Effect.flip` for a refusal instead of picking through JSON.
 */
export const apiClient = (token?: string) =>
  Effect.gen(function* () {
    const baseUrl = yield* TestServer.baseUrl
    return yield* HttpApiClient.make(Api, {
      baseUrl,
      transformClient: token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
    })
  }).pipe(Effect.provide(FetchHttpClient.layer))
