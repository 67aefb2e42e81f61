import { UserId } from "@moim/domain/Accounts/User"
import { Effect, Option, Schema } from "effect"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import { Profiles } from "./Profiles.ts"

const decodeUserId = Schema.decodeUnknownOption(UserId)

/** A notification about a user (your own account, someone who followed you) is shown while the account exists. */
export const UserSubjects = Effect.gen(function* () {
  const profiles = yield* Profiles
  return {
    kind: "user",
    visible: (_viewer, ids) =>
      Effect.map(
        profiles.getMany(ids.flatMap((id) => Option.toArray(decodeUserId(id)))),
        (found) => new Set<string>(found.keys())
      )
  } satisfies SubjectResolver
})
