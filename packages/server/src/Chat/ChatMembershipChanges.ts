import { ChannelId } from "@moim/domain/Chat/Chat"
import { Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { MembershipChanges } from "../Groups/MembershipChanges.ts"
import { defaultChannelName } from "./Channels.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatStream } from "./ChatStream.ts"

/**
 * Chat's answer to groups' `MembershipChanges`, in the transaction of the change: a new member is
 * put in the group's `general` channel (made with the group), and a member who goes (leaves, is
 * removed or banned) leaves every channel of the group, their open streams with them.
 */
export const ChatMembershipChanges = Layer.effect(
  MembershipChanges,
  Effect.gen(function* () {
    const repo = yield* ChannelsRepo
    const stream = yield* ChatStream.make
    return {
      joined: Effect.fn("ChatMembershipChanges.joined")(function* (groupId, userId) {
        let general = yield* repo.findDefault(groupId)
        if (Option.isNone(general)) {
          yield* repo.lockNames(groupId)
          const id = ChannelId.make(SecureRandom.uuidV7Unsafe())
          const taken = yield* repo.nameTaken(groupId, defaultChannelName, null)
          yield* repo.insert({
            id,
            groupId,
            kind: "public",
            name: taken ? `${defaultChannelName}-${id.slice(-4)}` : defaultChannelName,
            topic: "",
            isDefault: true,
            directKey: null,
            createdBy: null
          })
          general = yield* repo.findDefault(groupId)
        }
        if (Option.isNone(general)) return yield* Effect.die(new Error("A group has no general channel"))
        if (yield* repo.addMember(general.value.id, userId, "member")) yield* stream.joined(general.value.id, userId)
      }),
      left: Effect.fn("ChatMembershipChanges.left")(function* (groupId, userId) {
        const left = yield* repo.removeFromGroup(groupId, userId)
        if (left.length > 0) yield* stream.left(left, userId)
      })
    }
  })
)
