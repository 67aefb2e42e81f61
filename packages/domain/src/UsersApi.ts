import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { OptionalAuthentication } from "./Authentication.ts"
import { InvalidCursor, Page, PageQuery } from "./Page.ts"
import { SearchText } from "./Text.ts"
import { PublicProfile, UserId, UserNotFound } from "./User.ts"

export const PublicProfilePage = Page(PublicProfile, "PublicProfilePage")

/** Public profiles, readable without signing in. */
export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.get("get", "/users/:id", {
      params: { id: UserId },
      success: PublicProfile,
      error: UserNotFound
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(
        OpenApi.annotations({
          summary: "A user's public profile",
          description: "Anyone may read it; deleted users are not found."
        })
      ),
    HttpApiEndpoint.get("search", "/users", {
      query: {
        q: Schema.optional(
          SearchText.annotate({
            description: "Nickname to look for; fuzzy (typos and partial names match), best matches first"
          })
        ),
        ...PageQuery
      },
      success: PublicProfilePage,
      error: InvalidCursor
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(
        OpenApi.annotations({
          summary: "Find users",
          description: "With `q`, users whose nickname resembles it, best first; without, the newest users."
        })
      )
  )
  .annotateMerge(OpenApi.annotations({ title: "Users", description: "Public profiles" })) {}
