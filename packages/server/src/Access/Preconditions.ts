import { PreconditionFailed } from "@moim/domain/Kit/ConditionalRequests"
import { Effect } from "effect"

/**
 * Optimistic concurrency for an edit: called with the resource's row locked, it fails with
 * `PreconditionFailed` when the caller sent a version (`If-Match`, `expectedVersion`) that is no
 * longer the current one, so two editors cannot overwrite each other silently. Run after the
 * authorization checks: someone who may not edit the resource learns nothing of its version.
 */
export const requireVersion = (
  expected: number | undefined,
  current: number
): Effect.Effect<void, PreconditionFailed> =>
  expected === undefined || expected === current
    ? Effect.void
    : Effect.fail(
        new PreconditionFailed({
          message: `It was edited since version ${expected}: it is at version ${current}. Read it again, then send your edit with the new version.`,
          currentVersion: current
        })
      )
