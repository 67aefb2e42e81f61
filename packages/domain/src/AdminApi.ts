import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden } from "./AuthErrors.ts"
import { Authentication } from "./Authentication.ts"
import { OptionalBody } from "./OptionalBody.ts"
import { NoteText } from "./Text.ts"
import { AdminUserView, UserId, UserNotFound } from "./User.ts"

export const SuspendPayload = Schema.Struct({
  reason: Schema.optional(NoteText)
}).annotate({ identifier: "SuspendPayload", description: "Why the user is suspended (kept for admins)" })

/** Documents that the bearer token must belong to a site admin (an OpenAPI role on the scheme). */
const adminOnly = OpenApi.annotations({ override: { security: [{ bearer: ["admin"] }] } })

/** Site administration; every endpoint needs a site admin. */
export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.post("suspendUser", "/admin/users/:id/suspend", {
      params: { id: UserId },
      payload: OptionalBody(SuspendPayload),
      success: AdminUserView,
      error: [UserNotFound, Forbidden]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Suspend a user",
        description: "The user can no longer sign in or refresh, and tokens issued earlier stop working at once."
      })
    ),
    HttpApiEndpoint.post("unsuspendUser", "/admin/users/:id/unsuspend", {
      params: { id: UserId },
      success: AdminUserView,
      error: [UserNotFound, Forbidden]
    })
      .annotateMerge(adminOnly)
      .annotateMerge(
        OpenApi.annotations({
          summary: "Lift a suspension",
          description: "The user can sign in again; sessions ended by the suspension stay ended."
        })
      )
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin", description: "Site administration" })) {}
