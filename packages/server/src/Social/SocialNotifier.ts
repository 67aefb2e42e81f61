import type { UserId } from "@moim/domain/Accounts/User"
import {
  ContactJoinedNotification,
  FollowApprovedNotification,
  FollowedNotification,
  FollowRequestedNotification,
  FriendAcceptedNotification,
  FriendRequestedNotification,
  NotifySocialEvent,
  type SocialEventKind
} from "@moim/domain/Social/SocialNotifications"
import { Context, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Notifications } from "../Notifications/Notifications.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Contacts } from "./Contacts.ts"
import { GraphChanges } from "./GraphChanges.ts"
import { GraphRepo } from "./GraphRepo.ts"

/**
 * `const record = yield* SocialEvents.make`: records that someone did something another should hear
 * of, as a `NotifySocialEvent` job in the transaction of the change.
 */
export const SocialEvents = {
  make: Effect.gen(function* () {
    const jobs = yield* JobQueue
    const graph = yield* GraphChanges
    return (kind: SocialEventKind, actorId: UserId, recipientId: UserId) =>
      Effect.gen(function* () {
        yield* jobs.enqueue(NotifySocialEvent, { eventId: SecureRandom.uuidV7Unsafe(), kind, actorId, recipientId })
        // Who follows, asks or becomes a friend has a new place in the graph (both, for a friendship).
        if (kind !== "social.followApproved") yield* graph.connected(actorId)
        if (kind === "social.friendAccepted") yield* graph.connected(recipientId)
      })
  })
}

const kinds = {
  "social.followed": FollowedNotification,
  "social.followRequested": FollowRequestedNotification,
  "social.followApproved": FollowApprovedNotification,
  "social.friendRequested": FriendRequestedNotification,
  "social.friendAccepted": FriendAcceptedNotification
} as const

/**
 * Tells people of follows and friend requests (run by the worker for `NotifySocialEvent`), if what
 * happened still holds when the job runs: an unfollow or a withdrawn request before then tells nobody.
 * Blocks are `Notifications.deliver`'s to honour, as for every notification.
 */
export class SocialNotifier extends Context.Service<
  SocialNotifier,
  {
    readonly notify: (event: {
      readonly eventId: string
      readonly kind: SocialEventKind
      readonly actorId: UserId
      readonly recipientId: UserId
    }) => Effect.Effect<void>
    /** Tells those who have the number in their contacts that its owner joined (`NotifyContactJoined`). */
    readonly contactJoined: (userId: UserId, contactHash: string) => Effect.Effect<void>
  }
>()("@moim/server/Social/SocialNotifier") {
  static readonly layer = Layer.effect(
    SocialNotifier,
    Effect.gen(function* () {
      const graph = yield* GraphRepo
      const notifications = yield* Notifications
      const contacts = yield* Contacts

      const stillHolds = Effect.fn("SocialNotifier.stillHolds")(function* (
        kind: SocialEventKind,
        actorId: UserId,
        recipientId: UserId
      ) {
        const relationship = yield* graph.relationship(recipientId, actorId)
        switch (kind) {
          case "social.followed":
            return relationship.followsYou
          case "social.followRequested":
            return Option.getOrUndefined(yield* graph.followStatus(actorId, recipientId)) === "pending"
          case "social.followApproved":
            return relationship.following
          case "social.friendRequested":
            return relationship.friendRequestReceived
          case "social.friendAccepted":
            return relationship.friends
        }
      })

      return SocialNotifier.of({
        notify: Effect.fn("SocialNotifier.notify")(function* (event) {
          if (!(yield* stillHolds(event.kind, event.actorId, event.recipientId))) return
          yield* notifications.deliver({
            eventId: event.eventId,
            kind: kinds[event.kind],
            data: { userId: event.actorId },
            recipients: [event.recipientId],
            actorId: event.actorId,
            subjectId: event.actorId,
            groupId: null
          })
        }),
        contactJoined: Effect.fn("SocialNotifier.contactJoined")(function* (userId, contactHash) {
          yield* notifications.deliver({
            eventId: `contact-joined:${userId}:${contactHash}`,
            kind: ContactJoinedNotification,
            data: { userId },
            recipients: yield* contacts.whoKnows(userId, contactHash),
            actorId: userId,
            subjectId: userId,
            groupId: null
          })
        })
      })
    })
  )
}
