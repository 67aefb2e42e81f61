import { StreamTopicNotFound } from "@moim/domain/Realtime/RealtimeApi"
import { Context, Effect, Layer } from "effect"
import type { Actor } from "../Access/Actor.ts"

/** Whether a user may receive one kind of topic (`group`: `group:<id>`). */
export interface TopicResolver {
  readonly kind: string
  readonly allowed: (viewer: NonNullable<Actor>, id: string) => Effect.Effect<boolean>
}

/**
 * Who may join which topic of the realtime stream. The realtime feature declares this port; each
 * feature whose things have topics answers for its kind (groups: `group`, through `GroupAccess`),
 * wired in `Features.ts`. A topic of a kind nobody answers for is not found.
 */
export class TopicAccess extends Context.Service<
  TopicAccess,
  {
    readonly allowed: (viewer: NonNullable<Actor>, topic: string) => Effect.Effect<boolean>
    readonly authorize: (viewer: NonNullable<Actor>, topic: string) => Effect.Effect<void, StreamTopicNotFound>
  }
>()("@moim/server/Realtime/TopicAccess") {
  /** `layer(Effect.all([GroupTopics, ...]))`. */
  static readonly layer = <R>(resolvers: Effect.Effect<ReadonlyArray<TopicResolver>, never, R>) =>
    Layer.effect(
      TopicAccess,
      Effect.gen(function* () {
        const byKind = new Map((yield* resolvers).map((resolver) => [resolver.kind, resolver] as const))
        const allowed = (viewer: NonNullable<Actor>, topic: string) => {
          const separator = topic.indexOf(":")
          const resolver = byKind.get(topic.slice(0, separator))
          return resolver === undefined || separator < 0
            ? Effect.succeed(false)
            : resolver.allowed(viewer, topic.slice(separator + 1))
        }
        return TopicAccess.of({
          allowed,
          authorize: (viewer, topic) =>
            Effect.flatMap(allowed(viewer, topic), (ok) =>
              ok
                ? Effect.void
                : Effect.fail(new StreamTopicNotFound({ message: "No such topic, or not one you may see", topic }))
            )
        })
      })
    )
}
