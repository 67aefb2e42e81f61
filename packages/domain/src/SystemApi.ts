import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Meta } from "./Meta.ts"

export class SystemApi extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("meta", "/meta", { success: Meta }).annotateMerge(
      OpenApi.annotations({
        summary: "Server metadata",
        description: "The server version and which adapters (database, Redis, storage, mail) are active."
      })
    )
  )
  .annotateMerge(OpenApi.annotations({ title: "System", description: "Server metadata" })) {}
