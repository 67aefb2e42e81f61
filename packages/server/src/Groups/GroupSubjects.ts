import { GroupId } from "@moim/domain/Groups/Group"
import { Effect, Option, Schema } from "effect"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import { GroupAccess } from "./GroupAccess.ts"
import { InvitationsRepo } from "./InvitationsRepo.ts"

const decodeGroupId = Schema.decodeUnknownOption(GroupId)

/** A notification about a group is shown while the recipient may see the group. */
export const GroupSubjects = Effect.gen(function* () {
  const access = yield* GroupAccess
  return {
    kind: "group",
    visible: (viewer, ids) =>
      Effect.forEach(
        ids,
        (id) =>
          Option.match(decodeGroupId(id), {
            onNone: () => Effect.succeed(Option.none<string>()),
            onSome: (groupId) =>
              access.view(groupId, viewer).pipe(
                Effect.as(Option.some(id)),
                Effect.orElseSucceed(() => Option.none<string>())
              )
          }),
        { concurrency: 8 }
      ).pipe(Effect.map((found) => new Set(found.flatMap((id) => Option.toArray(id)))))
  } satisfies SubjectResolver
})

/**
 * A notification about an invitation is shown while the invitation is open, or, once accepted, while
 * the recipient may see its group (a member removed from a private group no longer sees it).
 */
export const InvitationSubjects = Effect.gen(function* () {
  const repo = yield* InvitationsRepo
  const access = yield* GroupAccess
  return {
    kind: "invitation",
    visible: (viewer, ids) =>
      Effect.gen(function* () {
        const states = yield* repo.stateFor(ids, viewer.userId)
        const shown = yield* Effect.forEach(
          states,
          (state) =>
            state.open
              ? Effect.succeed(Option.some<string>(state.id))
              : state.accepted
                ? access.view(state.groupId, viewer).pipe(
                    Effect.as(Option.some<string>(state.id)),
                    Effect.orElseSucceed(() => Option.none<string>())
                  )
                : Effect.succeed(Option.none<string>()),
          { concurrency: 8 }
        )
        return new Set(shown.flatMap((id) => Option.toArray(id)))
      })
  } satisfies SubjectResolver
}).pipe(Effect.provide(InvitationsRepo.layer))
