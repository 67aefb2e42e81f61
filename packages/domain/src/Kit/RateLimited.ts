import { Schema } from "effect"

/** Too many requests; retry after `retryAfterSeconds` (also sent as the `Retry-After` header). */
export class RateLimited extends Schema.TaggedError<RateLimited>()(
  "RateLimited",
  {
    message: Schema.String,
    retryAfterSeconds: Schema.Int
  },
  { httpApiStatus: 429, identifier: "RateLimited", description: "Too many requests" }
) {}
