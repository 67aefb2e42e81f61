import type { Subject } from "@moim/domain/Notifications/Notification"
import { Context, Effect, Layer } from "effect"
import type { Actor } from "../Access/Actor.ts"

/** Which subjects of one kind a user may still see (the ids among `ids`). */
export interface SubjectResolver {
  readonly kind: string
  readonly visible: (viewer: NonNullable<Actor>, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
}

const keyOf = (subject: Subject) => `${subject.kind}:${subject.id}`

/**
 * Whether the subject of a notification still exists and the recipient may still see it: a
 * notification about a deleted group, or a private group they left, is not shown. The notifications
 * feature declares this port; each feature that sends notifications resolves its own kinds of
 * subject (groups: `group`, `invitation`; accounts: `user`), wired in `Features.ts`. A subject of a
 * kind nobody resolves is not shown.
 */
export class NotificationSubjects extends Context.Service<
  NotificationSubjects,
  {
    /** The keys (`kind:id`) of the subjects the viewer may see. */
    readonly visible: (
      viewer: NonNullable<Actor>,
      subjects: ReadonlyArray<Subject>
    ) => Effect.Effect<ReadonlySet<string>>
  }
>()("@moim/server/Notifications/NotificationSubjects") {
  static readonly keyOf = keyOf

  /** The port from the features' resolvers: `layer(Effect.all([GroupSubjects, UserSubjects, ...]))`. */
  static readonly layer = <R>(resolvers: Effect.Effect<ReadonlyArray<SubjectResolver>, never, R>) =>
    Layer.effect(
      NotificationSubjects,
      Effect.gen(function* () {
        const byKind = new Map((yield* resolvers).map((resolver) => [resolver.kind, resolver] as const))
        return NotificationSubjects.of({
          visible: Effect.fn("NotificationSubjects.visible")(function* (viewer, subjects) {
            const idsByKind = new Map<string, Set<string>>()
            for (const subject of subjects) {
              const ids = idsByKind.get(subject.kind) ?? new Set<string>()
              ids.add(subject.id)
              idsByKind.set(subject.kind, ids)
            }
            const visible = new Set<string>()
            yield* Effect.forEach(
              idsByKind,
              ([kind, ids]) => {
                const resolver = byKind.get(kind)
                if (resolver === undefined) return Effect.void
                return Effect.map(resolver.visible(viewer, [...ids]), (seen) => {
                  for (const id of seen) visible.add(keyOf({ kind, id }))
                })
              },
              { concurrency: "unbounded", discard: true }
            )
            return visible
          })
        })
      })
    )
}
