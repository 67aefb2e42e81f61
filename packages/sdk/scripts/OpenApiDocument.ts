import { Api } from "@moim/domain/Api"
import { OpenApi } from "effect/http-api"

/** A JSON value as found in an OpenAPI document. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** A JSON object node of the document. */
export type JsonObject = { readonly [key: string]: Json }

export const isJsonObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The OpenAPI document of the domain's `Api`, built without a server: the same document the server
 * serves at `/api/v1/openapi.json`. A JSON round trip turns it into plain data.
 */
export const makeOpenApiDocument = (): JsonObject => {
  const document: Json = JSON.parse(JSON.stringify(OpenApi.fromApi(Api)))
  if (!isJsonObject(document)) throw new Error("OpenApi.fromApi(Api) did not produce an object")
  return document
}
