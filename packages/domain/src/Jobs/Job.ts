import type { Schema } from "effect"

/**
 * A background job: its name in the queue and the schema of its payload. Declared once, in the
 * domain folder of the feature that owns it (platform jobs live here in `Jobs/`); the server
 * enqueues it (`JobQueue.enqueue`) and the worker registers one handler for it (`JobHandler.make`).
 */
export interface Job<Name extends string, Payload extends Schema.Top> {
  readonly name: Name
  readonly payload: Payload
  /** How many times the queue runs the job before giving up (default 25, graphile-worker's default). */
  readonly maxAttempts: number
  /**
   * The idempotency key of a reaction: what caused it (`post-created:<postId>`). While a job with
   * the same key is waiting, enqueueing it again replaces it instead of adding a second one, so a
   * cause retried or replayed leads to one reaction. The handler must still be idempotent: a key
   * whose job is already running gets a new job.
   */
  readonly key: ((payload: Payload["Type"]) => string) | undefined
}

export const make = <const Name extends string, Payload extends Schema.Top>(
  name: Name,
  payload: Payload,
  options?: { readonly maxAttempts?: number; readonly key?: (payload: Payload["Type"]) => string }
): Job<Name, Payload> => ({ name, payload, maxAttempts: options?.maxAttempts ?? 25, key: options?.key })
