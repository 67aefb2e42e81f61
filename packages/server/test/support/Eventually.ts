import { type Duration, Effect, Schedule } from "effect"

export interface EventuallyOptions {
  /** How long to keep trying, from the first attempt (default 5 seconds). */
  readonly timeout?: Duration.Input | undefined
  /** The pause between two attempts (default 25 millis). */
  readonly interval?: Duration.Input | undefined
}

/**
 * Re-runs `check`, which fails while what the test waits for has not happened yet, until it
 * succeeds, instead of sleeping for a guessed time: the test goes on as soon as the condition
 * holds, and fails with `check`'s last error once `timeout` has passed.
 *
 * It waits on the Clock, so run it with the live one (`it.live`, or `excludeTestServices`); under
 * the TestClock, adjust the clock instead. A `check` that hangs is not cut short: bound it itself.
 */
export const eventually = <A, E, R>(
  check: Effect.Effect<A, E, R>,
  options?: EventuallyOptions
): Effect.Effect<A, E, R> =>
  Effect.retry(
    check,
    Schedule.spaced(options?.interval ?? "25 millis").pipe(Schedule.upTo({ duration: options?.timeout ?? "5 seconds" }))
  )
