import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { Context, Effect, Layer, type Scope, Stream } from "effect"

/**
 * What a user's stream carries beside the stored events: signals that are only worth having live
 * (someone typing, someone's presence), which a feature fans out through the `EventBus`. The realtime
 * feature declares this port; chat answers it (`Chat/ChatSignals.ts`), wired in `Features.ts`.
 *
 * Messages have an empty `cursor` and are never replayed. The stream drops those of a topic it left.
 */
export class EphemeralSignals extends Context.Service<
  EphemeralSignals,
  {
    /**
     * The signals of `topics` for this user's stream, from the moment this succeeds until the scope
     * closes, which is also how long the feature counts the user as connected (presence). It never
     * fails: a signal lost is only a signal.
     */
    readonly open: (
      user: CurrentUser["Service"],
      topics: ReadonlyArray<string>
    ) => Effect.Effect<Stream.Stream<StreamMessage>, never, Scope.Scope>
  }
>()("@moim/server/Realtime/EphemeralSignals") {
  /** No signals: for a server without a feature that has any. */
  static readonly none = Layer.succeed(
    EphemeralSignals,
    EphemeralSignals.of({ open: () => Effect.succeed(Stream.never) })
  )
}
