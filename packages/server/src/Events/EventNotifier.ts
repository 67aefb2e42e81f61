import type { UserId } from "@moim/domain/Accounts/User"
import type { EventId } from "@moim/domain/Events/Event"
import {
  EventCancelledNotification,
  EventChangedNotification,
  EventPromotedNotification,
  EventReminderNotification,
  NotifyEventChanged,
  NotifyEventPromoted
} from "@moim/domain/Events/EventNotifications"
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
  }),
  /** `const changed = yield* EventEvents.changed`: records a change people going are told of. */
  changed: Effect.gen(function* () {
    const jobs = yield* JobQueue
    return (change: Omit<typeof NotifyEventChanged.payload.Type, "changeId">) =>
      jobs.enqueue(NotifyEventChanged, { ...change, changeId: SecureRandom.uuidV7Unsafe() }).pipe(Effect.asVoid)
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
    readonly notifyChanged: (change: typeof NotifyEventChanged.payload.Type) => Effect.Effect<void>
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
        }),
        notifyChanged: Effect.fn("EventNotifier.notifyChanged")(function* (change) {
          const [event] = yield* repo.findMany([change.eventId])
          if (event === undefined) return
          // A reminder not yet read (an email or push perhaps held for quiet hours) of an occurrence
          // now cancelled or moved no longer holds: take it back. A moved one is reminded anew.
          if (change.cancelled || change.fields.includes("time")) {
            yield* notifications.withdraw({
              kind: EventReminderNotification,
              subjectId: change.eventId,
              dataField: change.occurrence === null ? undefined : { name: "occurrenceStart", value: change.occurrence }
            })
          }
          const going = yield* repo.goingTo(change.eventId, change.occurrence)
          const recipients = going.filter((userId) => userId !== change.actorId)
          if (recipients.length === 0) return
          const base = { eventId: change.eventId, title: event.title, occurrenceStart: change.occurrence }
          const common = {
            eventId: change.changeId,
            recipients,
            actorId: change.actorId,
            subjectId: change.eventId,
            groupId: event.groupId
          }
          if (change.cancelled) {
            yield* notifications.deliver({
              ...common,
              kind: EventCancelledNotification,
              data: { ...base, reason: change.reason ?? "" }
            })
          } else {
            yield* notifications.deliver({
              ...common,
              kind: EventChangedNotification,
              data: { ...base, fields: change.fields }
            })
          }
        })
      })
    })
  )
}
