import { Schema } from "effect"

/**
 * The `Idempotency-Key` of an unsafe request (a REST header, or an RPC call's header) was already
 * used by the same caller for a different request. Use a new key for a new request.
 */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()(
  "IdempotencyKeyReused",
  { message: Schema.String },
  {
    httpApiStatus: 422,
    identifier: "IdempotencyKeyReused",
    description: "The Idempotency-Key was already used for a different request (method, URL or body)"
  }
) {}

/** The first request with this `Idempotency-Key` is still running: send it again in a moment. */
export class IdempotencyKeyInProgress extends Schema.TaggedError<IdempotencyKeyInProgress>()(
  "IdempotencyKeyInProgress",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "IdempotencyKeyInProgress",
    description: "A request with this Idempotency-Key is still running; send it again after Retry-After"
  }
) {}
