import { UserId } from "@moim/domain/Accounts/User"
import { Effect, Option, Schema } from "effect"
import { Blocks } from "../Access/Blocks.ts"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import { Profiles } from "./Profiles.ts"

const decodeUserId = Schema.decodeUnknownOption(UserId)

/** A notification about a user (your own account, someone who followed you) is shown while the account exists. */
export const UserSubjects = Effect.gen(function* () {
  const profiles = yield* Profiles
  const blocks = yield* Blocks
  return {
    kind: "user",
    visible: Effect.fn("UserSubjects.visible")(function* (viewer, ids) {
      const found = yield* profiles.getMany(ids.flatMap((id) => Option.toArray(decodeUserId(id))))
      // Someone either blocked is gone from your notifications too.
      const hidden = yield* blocks.hiddenAmong(viewer.userId, [...found.keys()])
      return new Set<string>([...found.keys()].filter((id) => !hidden.has(id)))
    })
  } satisfies SubjectResolver
})
