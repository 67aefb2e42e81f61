import type { Server } from "node:http"
import { Effect } from "effect"

/**
 * Listens with `server` on a random port of 127.0.0.1 for the scope, and answers the port; at the
 * end its connections are dropped and it is closed.
 */
export const listenOnLoopback = (server: Server) =>
  Effect.acquireRelease(
    Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(
          typeof address === "object" && address !== null
            ? Effect.succeed(address.port)
            : Effect.die(new Error("the loopback server has no TCP address"))
        )
      })
    }),
    () =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
