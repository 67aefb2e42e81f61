import type { UserId } from "@moim/domain/Accounts/User"
import type { GroupId } from "@moim/domain/Groups/Group"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import type { Notification } from "@moim/domain/Notifications/Catalogue"
import { NotificationId, NotificationNotFound } from "@moim/domain/Notifications/Notification"
import type { NotificationKind } from "@moim/domain/Notifications/NotificationKind"
import { Array as Arr, Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { StreamOutbox, userTopic } from "../Realtime/StreamOutbox.ts"
import { type ChannelPlan, plan } from "./ChannelPlan.ts"
import { DeliveryChannels } from "./DeliveryChannels.ts"
import { NotificationSubjects } from "./NotificationSubjects.ts"
import { NotificationsRepo } from "./NotificationsRepo.ts"
import { NotificationViews } from "./NotificationViews.ts"
import { PreferencesRepo } from "./PreferencesRepo.ts"

type SignedIn = CurrentUser["Service"]

/** How many recipients one transaction of a delivery writes. */
export const deliveryBatchSize = 1000

/** One event, told to its recipients as one kind of notification. */
export interface Delivery<D extends Schema.Codec<unknown, unknown>> {
  /** Unique per event; delivering the same event again reaches nobody twice. */
  readonly eventId: string
  readonly kind: NotificationKind<string, D>
  readonly data: D["Type"]
  readonly recipients: ReadonlyArray<UserId>
  /** Who caused it; never told of their own action. Null for the system. */
  readonly actorId: UserId | null
  /** The id of the subject, of the kind's subject kind. */
  readonly subjectId: string
  /** The group it happened in, for mutes. */
  readonly groupId: GroupId | null
  /** When it stops being worth sending (a reminder: the start): email and push held past it are dropped. */
  readonly notAfter?: DateTime.Utc | undefined
}

/** A notification just written, and where else it should go. */
export interface Delivered {
  readonly notificationId: NotificationId
  readonly recipientId: UserId
  readonly plan: ChannelPlan
}

/**
 * The notifications of the signed-in user, and `deliver`, which every feature's notifier calls
 * (in the worker) to tell recipients of an event: per recipient, the channels their preferences
 * choose, written in batches of `deliveryBatchSize`, each batch one transaction, which also hands
 * the batch to the other channels (`DeliveryChannels`).
 */
export class Notifications extends Context.Service<
  Notifications,
  {
    readonly deliver: <D extends Schema.Codec<unknown, unknown>>(
      delivery: Delivery<D>
    ) => Effect.Effect<ReadonlyArray<Delivered>>
    readonly list: (
      user: SignedIn,
      query: PageQuery & { readonly unread?: "true" | "false" | undefined }
    ) => Effect.Effect<Page<Notification>, InvalidCursor>
    /** One of the user's notifications, as the list shows it; none if it is gone or its subject is hidden. */
    readonly find: (user: SignedIn, id: NotificationId) => Effect.Effect<Option.Option<Notification>>
    readonly counts: (user: SignedIn) => Effect.Effect<{ readonly unread: number; readonly unseen: number }>
    readonly markRead: (user: SignedIn, id: NotificationId) => Effect.Effect<void, NotificationNotFound>
    readonly markAllRead: (
      user: SignedIn,
      upTo: NotificationId | undefined
    ) => Effect.Effect<{ readonly marked: number }, NotificationNotFound>
    readonly markSeen: (user: SignedIn) => Effect.Effect<void>
    readonly remove: (user: SignedIn, id: NotificationId) => Effect.Effect<void, NotificationNotFound>
    /**
     * Takes back what no longer holds: the unread notifications of `kind` about `subjectId` (with
     * `data.<name>` equal to `value`, when given), from every recipient. An email or push still held
     * for quiet hours is then not sent; the recipients' lists and counts are told to refresh.
     */
    readonly withdraw: (options: {
      readonly kind: NotificationKind<string, Schema.Top>
      readonly subjectId: string
      readonly dataField?: { readonly name: string; readonly value: string } | undefined
    }) => Effect.Effect<number>
  }
>()("@moim/server/Notifications/Notifications") {
  static readonly layer = Layer.effect(
    Notifications,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* NotificationsRepo
      const preferences = yield* PreferencesRepo
      const subjects = yield* NotificationSubjects
      const views = yield* NotificationViews
      const cursors = yield* Cursors
      const channels = yield* DeliveryChannels
      const blocks = yield* Blocks
      const outbox = yield* StreamOutbox
      /** Counts changed: the user's open streams send the new counts. */
      const changed = (user: SignedIn) =>
        outbox.publish([{ topic: userTopic(user.userId), type: "notifications.changed", data: {} }])

      const notFound = new NotificationNotFound({ message: "No such notification" })

      const deliverBatch = Effect.fn("Notifications.deliverBatch")(function* (
        delivery: Delivery<Schema.Codec<unknown, unknown>>,
        data: unknown,
        recipients: ReadonlyArray<UserId>
      ) {
        const fresh = yield* repo.claimDeliveries(delivery.eventId, recipients)
        if (fresh.length === 0) return []
        const type = delivery.kind.type
        const [settings, overrides, muted] = yield* Effect.all([
          preferences.settingsOf(fresh),
          preferences.overridesOf(fresh, type),
          delivery.groupId === null || !delivery.kind.mutedWithGroup
            ? Effect.succeed(new Set<UserId>())
            : preferences.mutedAmong(fresh, delivery.groupId)
        ])
        const choices = Arr.groupBy(overrides, (row) => row.userId)
        const now = yield* DateTime.now
        const plans = new Map(
          fresh.map((recipient) => {
            const settingsOf = settings.get(recipient)
            const chosen = new Map((choices[recipient] ?? []).map((row) => [row.channel, row.enabled] as const))
            return [
              recipient,
              plan({
                kind: delivery.kind,
                settings: settingsOf ?? { timeZone: "UTC", quietHours: null, digest: "off" },
                overrides: chosen,
                groupMuted: muted.has(recipient),
                now,
                notAfter: delivery.notAfter
              })
            ] as const
          })
        )
        const inApp = fresh.filter((recipient) => plans.get(recipient)?.inApp === true)
        const written = yield* repo.write(
          inApp.map(() => NotificationId.make(SecureRandom.uuidV7Unsafe())),
          inApp,
          {
            type,
            subjectKind: delivery.kind.subject,
            subjectId: delivery.subjectId,
            groupId: delivery.groupId,
            collapseKey: delivery.kind.collapse ? `${type}:${delivery.kind.subject}:${delivery.subjectId}` : null,
            actorId: delivery.actorId,
            data
          }
        )
        const delivered = written.flatMap((row): ReadonlyArray<Delivered> => {
          const chosen = plans.get(row.recipientId)
          return chosen === undefined ? [] : [{ notificationId: row.id, recipientId: row.recipientId, plan: chosen }]
        })
        yield* channels.dispatch({ kind: delivery.kind, delivered })
        return delivered
      })

      return Notifications.of({
        deliver: Effect.fn("Notifications.deliver")(function* <D extends Schema.Codec<unknown, unknown>>(
          delivery: Delivery<D>
        ) {
          const data = yield* Schema.encodeUnknownEffect(Schema.toCodecJson(delivery.kind.data))(delivery.data).pipe(
            Effect.orDie
          )
          const unique = [...new Set(delivery.recipients)].filter((recipient) => recipient !== delivery.actorId)
          // Nobody hears of someone they blocked, or who blocked them.
          const blocked =
            delivery.actorId === null ? new Set<UserId>() : yield* blocks.hiddenAmong(delivery.actorId, unique)
          const recipients = unique.filter((recipient) => !blocked.has(recipient))
          const batches = Arr.chunksOf(recipients, deliveryBatchSize)
          const delivered = yield* Effect.forEach(batches, (batch) => transaction(deliverBatch(delivery, data, batch)))
          yield* Effect.annotateCurrentSpan({ type: delivery.kind.type, recipients: recipients.length })
          return delivered.flat()
        }),

        list: Effect.fn("Notifications.list")(function* (user, query) {
          const scope = `notifications:${user.userId}:${query.unread ?? "false"}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.list({
            recipientId: user.userId,
            unreadOnly: query.unread === "true",
            limit: limit + 1,
            after
          })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({
              at: row.updatedAt.toISOString(),
              id: row.id
            })
          )
          const visible = yield* subjects.visible(
            Actor.of(user),
            page.items.map((row) => ({ kind: row.subjectKind, id: row.subjectId }))
          )
          const shown = page.items.filter((row) =>
            visible.has(NotificationSubjects.keyOf({ kind: row.subjectKind, id: row.subjectId }))
          )
          return { items: yield* views.notifications(shown), nextCursor: page.nextCursor }
        }),

        find: Effect.fn("Notifications.find")(function* (user, id) {
          const row = yield* repo.find(user.userId, id)
          if (Option.isNone(row)) return Option.none()
          const subject = { kind: row.value.subjectKind, id: row.value.subjectId }
          const visible = yield* subjects.visible(Actor.of(user), [subject])
          if (!visible.has(NotificationSubjects.keyOf(subject))) return Option.none()
          const [shown] = yield* views.notifications([row.value])
          return Option.fromNullishOr(shown)
        }),

        counts: Effect.fn("Notifications.counts")(function* (user) {
          const bySubject = yield* repo.unreadBySubject(user.userId)
          const visible = yield* subjects.visible(
            Actor.of(user),
            bySubject.map((row) => ({ kind: row.subjectKind, id: row.subjectId }))
          )
          let unread = 0
          let unseen = 0
          for (const row of bySubject) {
            if (!visible.has(NotificationSubjects.keyOf({ kind: row.subjectKind, id: row.subjectId }))) continue
            unread += row.unread
            unseen += row.unseen
          }
          return { unread, unseen }
        }),

        markRead: Effect.fn("Notifications.markRead")(function* (user, id) {
          if (!(yield* repo.markRead(user.userId, id))) return yield* notFound
          yield* changed(user)
        }),

        markAllRead: Effect.fn("Notifications.markAllRead")(function* (user, upTo) {
          const bound = upTo === undefined ? Option.none() : yield* repo.position(user.userId, upTo)
          if (upTo !== undefined && Option.isNone(bound)) return yield* notFound
          const marked = yield* repo.markAllRead(user.userId, Option.getOrNull(bound))
          if (marked > 0) yield* changed(user)
          return { marked }
        }),

        markSeen: (user) => Effect.andThen(repo.markSeen(user.userId), changed(user)),

        remove: Effect.fn("Notifications.remove")(function* (user, id) {
          if (!(yield* repo.remove(user.userId, id))) return yield* notFound
          yield* changed(user)
        }),

        withdraw: Effect.fn("Notifications.withdraw")(function* (options) {
          const recipients = yield* repo.withdraw({
            type: options.kind.type,
            subjectId: options.subjectId,
            dataField: options.dataField ?? null
          })
          if (recipients.length > 0) {
            yield* outbox.publish(
              recipients.map((userId) => ({ topic: userTopic(userId), type: "notifications.changed", data: {} }))
            )
          }
          return recipients.length
        })
      })
    })
  )
}
