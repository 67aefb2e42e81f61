import type { UserId } from "@moim/domain/Accounts/User"
import type { GroupId } from "@moim/domain/Groups/Group"
import { GroupId as GroupIdSchema } from "@moim/domain/Groups/Group"
import { Effect, Option, Schema } from "effect"
import { StreamOutbox, userTopic } from "../Realtime/StreamOutbox.ts"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { GroupAccess } from "./GroupAccess.ts"

export const groupTopic = (groupId: GroupId) => `group:${groupId}`

/**
 * `const stream = yield* GroupStream.make`: what groups publish to the realtime stream, in the
 * caller's transaction. Someone leaving (or removed, or banned) also gets `access.changed` on their
 * own topic, so their open streams check at once whether they may still see the group.
 */
export const GroupStream = {
  make: Effect.gen(function* () {
    const outbox = yield* StreamOutbox
    return {
      updated: (groupId: GroupId) =>
        outbox.publish([{ topic: groupTopic(groupId), type: "group.updated", data: { groupId } }]),
      deleted: (groupId: GroupId) =>
        outbox.publish([{ topic: groupTopic(groupId), type: "group.deleted", data: { groupId } }]),
      joined: (groupId: GroupId, userId: UserId) =>
        outbox.publish([{ topic: groupTopic(groupId), type: "group.memberJoined", data: { groupId, userId } }]),
      left: (groupId: GroupId, userId: UserId) =>
        outbox.publish([
          { topic: userTopic(userId), type: "access.changed", data: { topic: groupTopic(groupId) } },
          { topic: groupTopic(groupId), type: "group.memberLeft", data: { groupId, userId } }
        ])
    }
  })
}

const decodeGroupId = Schema.decodeUnknownOption(GroupIdSchema)

/** A group's topic may be joined by whoever may see the group. */
export const GroupTopics = Effect.gen(function* () {
  const access = yield* GroupAccess
  return {
    kind: "group",
    allowed: (viewer, id) =>
      Option.match(decodeGroupId(id), {
        onNone: () => Effect.succeed(false),
        onSome: (groupId) =>
          access.view(groupId, viewer).pipe(
            Effect.as(true),
            Effect.orElseSucceed(() => false)
          )
      })
  } satisfies TopicResolver
})
