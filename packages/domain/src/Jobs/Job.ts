import type { Schema } from "effect"

/**
 * A background job: its name in the queue and the schema of its payload. Declared once here; the
 * server enqueues it (`JobQueue.enqueue`) and the worker registers one handler for it.
 */
export interface Job<Name extends string, Payload extends Schema.Top> {
  readonly name: Name
  readonly payload: Payload
  /** How many times the queue runs the job before giving up (default 25, graphile-worker's default). */
  readonly maxAttempts: number
}

export const make = <const Name extends string, Payload extends Schema.Top>(
  name: Name,
  payload: Payload,
  options?: { readonly maxAttempts?: number }
): Job<Name, Payload> => ({ name, payload, maxAttempts: options?.maxAttempts ?? 25 })

export type Any = Job<string, Schema.Top>
