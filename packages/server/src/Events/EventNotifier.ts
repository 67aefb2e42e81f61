import type { UserId } from "@moim/domain/Accounts/User"
import type { EventId } from "@moim/domain/Events/Event"
import { EventPromotedNotification, NotifyEventPromoted } from "@moim/domain/Events/EventNotifications"
import { Context, Effect, Layer } from "effect"
import { SecureRandom } from "effect/crypto"
import { Notifications } from "../Notifications/Notifications.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { EventsRepo } from "./EventsRepo.ts"

/**
 * `const promoted = yield* EventEvents.make`: records that people moved from an event's waitlist to
 * going, as a job in the transaction that seated them.
 */
export const EventEvents = {
  make: Effect.gen(function* () {
    const jobs = yield* JobQueue
    return (eventId: EventId, userIds: ReadonlyArray<UserId>) =>
      jobs
        .enqueue(NotifyEventPromoted, { eventId, userIds: [...userIds], promotionId: SecureRandom.uuidV7Unsafe() })
        .pipe(Effect.asVoid)
  })
}

/** Tells people they got a seat (run by the worker for `NotifyEventPromoted`). */
export class EventNotifier extends Context.Service<
  EventNotifier,
  {
    readonly notifyPromoted: (
      promotionId: string,
      eventId: EventId,
      userIds: ReadonlyArray<UserId>
    ) => Effect.Effect<void>
  }
>()("@moim/server/Events/EventNotifier") {
  static readonly layer = Layer.effect(
    EventNotifier,
    Effect.gen(function* () {
      const repo = yield* EventsRepo
      const notifications = yield* Notifications
      return EventNotifier.of({
        notifyPromoted: Effect.fn("EventNotifier.notifyPromoted")(function* (promotionId, eventId, userIds) {
          const [event] = yield* repo.findMany([eventId])
          if (event === undefined || event.status === "cancelled") return
          yield* notifications.deliver({
            eventId: promotionId,
            kind: EventPromotedNotification,
            data: { eventId, title: event.title },
            recipients: [...userIds],
            actorId: null,
            subjectId: eventId,
            groupId: event.groupId
          })
        })
      })
    })
  )
}
