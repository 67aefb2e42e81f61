import { PublicProfile, type UserId } from "@moim/domain/Accounts/User"
import { Notification, NotificationKinds } from "@moim/domain/Notifications/Catalogue"
import type { AnyKind } from "@moim/domain/Notifications/NotificationKind"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import type { NotificationRow } from "./NotificationsRepo.ts"

const kindsByType = new Map<string, AnyKind>(NotificationKinds.map((kind) => [kind.type, kind] as const))
const decodeNotification = Schema.decodeUnknownOption(Schema.toCodecJson(Notification))
const encodeProfile = Schema.encodeSync(Schema.toCodecJson(PublicProfile))

/** "Ada", "Ada and Ben", "Ada and 3 others": who caused a notification, for its sentence. */
export const who = (names: ReadonlyArray<string>, count: number): string => {
  const [first, second] = names
  if (first === undefined) return "Someone"
  if (count <= 1) return first
  if (count === 2 && second !== undefined) return `${first} and ${second}`
  return `${first} and ${count - 1} others`
}

/**
 * Stored notifications as clients receive them: the actors' public profiles (one batch per page),
 * the display sentence of the kind, and the kind's data checked against its schema. A row whose
 * type or data no longer matches a kind is left out (and logged) rather than failing the list.
 */
export class NotificationViews extends Context.Service<
  NotificationViews,
  { readonly notifications: (rows: ReadonlyArray<NotificationRow>) => Effect.Effect<Array<Notification>> }
>()("@moim/server/Notifications/NotificationViews") {
  static readonly layer = Layer.effect(
    NotificationViews,
    Effect.gen(function* () {
      const profiles = yield* Profiles
      return NotificationViews.of({
        notifications: Effect.fn("NotificationViews.notifications")(function* (rows) {
          const actorIds = new Set<UserId>()
          for (const row of rows) for (const id of row.actorIds) actorIds.add(id)
          const found = yield* profiles.getMany([...actorIds])
          const shown: Array<Notification> = []
          for (const row of rows) {
            const actors = row.actorIds.flatMap((id) => {
              const profile = found.get(id)
              return profile === undefined ? [] : [profile]
            })
            const kind = kindsByType.get(row.type)
            const text =
              kind === undefined
                ? Option.none()
                : kind.render(
                    who(
                      actors.map((actor) => actor.nickname),
                      row.actorCount
                    ),
                    row.data
                  )
            const notification = Option.flatMap(text, (sentence) =>
              decodeNotification({
                id: row.id,
                type: row.type,
                data: row.data,
                subject: { kind: row.subjectKind, id: row.subjectId },
                actors: actors.map((actor) => encodeProfile(actor)),
                actorCount: row.actorCount,
                text: sentence,
                createdAt: row.createdAt.toISOString(),
                updatedAt: row.updatedAt.toISOString(),
                readAt: row.readAt?.toISOString() ?? null,
                seenAt: row.seenAt?.toISOString() ?? null
              })
            )
            if (Option.isSome(notification)) shown.push(notification.value)
            else
              yield* Effect.logWarning("a stored notification does not match its kind", { id: row.id, type: row.type })
          }
          return shown
        })
      })
    })
  )
}
