import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, type Effect, Exit, Runtime } from "effect"

/**
 * A SIGTERM or SIGINT interrupts the program, which then shuts down cleanly (the server drains,
 * running jobs finish): that is a normal stop and exits 0. Any other failure exits 1.
 */
const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) return onExit(0)
  return Runtime.defaultTeardown(exit, onExit)
}

/** Runs an entry point's program with Node's signal handling and Moim's exit codes. */
export const runMain = <E, A>(program: Effect.Effect<A, E>) => NodeRuntime.runMain(program, { teardown })
