import type { UserId } from "@moim/domain/Accounts/User"
import { defaultEventReminders, type ReminderOffset } from "@moim/domain/Events/EventReminders"
import type { GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { NotificationKinds } from "@moim/domain/Notifications/Catalogue"
import type { DeliveryChannel } from "@moim/domain/Notifications/Notification"
import {
  NotificationPreferences,
  type UpdateNotificationPreferencesPayload
} from "@moim/domain/Notifications/Preferences"
import { Context, Effect, Layer } from "effect"
import { Actor } from "../Access/Actor.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Transaction } from "../platform/Transaction.ts"
import { defaultSettings, TimeOfDay } from "./ChannelPlan.ts"
import { PreferencesRepo } from "./PreferencesRepo.ts"

type SignedIn = CurrentUser["Service"]

const channels: ReadonlyArray<DeliveryChannel> = ["inApp", "email", "push"]

/**
 * A user's notification preferences: channels per kind, time zone, quiet hours, digest, muted groups,
 * and when they are reminded of the events they are going to.
 */
export class Preferences extends Context.Service<
  Preferences,
  {
    readonly get: (user: SignedIn) => Effect.Effect<NotificationPreferences>
    readonly update: (
      user: SignedIn,
      input: typeof UpdateNotificationPreferencesPayload.Type
    ) => Effect.Effect<NotificationPreferences>
    /** The group must be one the user may see. */
    readonly mute: (user: SignedIn, groupId: GroupId) => Effect.Effect<void, GroupNotFound>
    readonly unmute: (user: SignedIn, groupId: GroupId) => Effect.Effect<void>
    /** Each user's event reminder offsets (for the events feature's reminders). */
    readonly eventRemindersOf: (
      users: ReadonlyArray<UserId>
    ) => Effect.Effect<ReadonlyMap<UserId, ReadonlyArray<ReminderOffset>>>
  }
>()("@moim/server/Notifications/Preferences") {
  static readonly layer = Layer.effect(
    Preferences,
    Effect.gen(function* () {
      const repo = yield* PreferencesRepo
      const access = yield* GroupAccess
      const transaction = yield* Transaction.make

      const get = Effect.fn("Preferences.get")(function* (user: SignedIn) {
        const [settings, overrides, mutedGroups, reminders] = yield* Effect.all([
          repo.settingsOf([user.userId]),
          repo.overridesOf([user.userId]),
          repo.mutedGroups(user.userId),
          repo.remindersOf([user.userId])
        ])
        const mine = settings.get(user.userId) ?? defaultSettings
        const chosen = new Map(overrides.map((row) => [`${row.type}:${row.channel}`, row.enabled] as const))
        const enabled = (type: string, channel: DeliveryChannel, fallback: boolean) =>
          chosen.get(`${type}:${channel}`) ?? fallback
        return new NotificationPreferences({
          timeZone: mine.timeZone,
          quietHours:
            mine.quietHours === null
              ? null
              : {
                  start: TimeOfDay.fromMinutes(mine.quietHours.start),
                  end: TimeOfDay.fromMinutes(mine.quietHours.end)
                },
          digest: mine.digest,
          types: NotificationKinds.map((kind) => ({
            type: kind.type,
            description: kind.description,
            inApp: enabled(kind.type, "inApp", true),
            email: enabled(kind.type, "email", kind.defaults.email),
            push: enabled(kind.type, "push", kind.defaults.push)
          })),
          mutedGroups,
          eventReminders: reminders.get(user.userId) ?? defaultEventReminders
        })
      })

      return Preferences.of({
        get,

        update: Effect.fn("Preferences.update")(function* (user, input) {
          yield* transaction(
            Effect.gen(function* () {
              const current = (yield* repo.settingsOf([user.userId])).get(user.userId) ?? defaultSettings
              if (input.timeZone !== undefined || input.quietHours !== undefined || input.digest !== undefined) {
                yield* repo.saveSettings(user.userId, {
                  timeZone: input.timeZone ?? current.timeZone,
                  quietHours:
                    input.quietHours === undefined
                      ? current.quietHours
                      : input.quietHours === null
                        ? null
                        : {
                            start: TimeOfDay.toMinutes(input.quietHours.start),
                            end: TimeOfDay.toMinutes(input.quietHours.end)
                          },
                  digest: input.digest ?? current.digest
                })
              }
              if (input.eventReminders !== undefined) yield* repo.saveReminders(user.userId, input.eventReminders)
              for (const change of input.types ?? []) {
                const kind = NotificationKinds.find((candidate) => candidate.type === change.type)
                if (kind === undefined) continue
                const defaults: Record<DeliveryChannel, boolean> = {
                  inApp: true,
                  email: kind.defaults.email,
                  push: kind.defaults.push
                }
                for (const channel of channels) {
                  const wanted = change[channel]
                  if (wanted === undefined) continue
                  // A choice equal to the default is no choice: the default may change later.
                  yield* repo.setOverride(user.userId, kind.type, channel, wanted === defaults[channel] ? null : wanted)
                }
              }
            })
          )
          return yield* get(user)
        }),

        mute: Effect.fn("Preferences.mute")(function* (user, groupId) {
          yield* access.view(groupId, Actor.of(user))
          yield* repo.mute(user.userId, groupId)
        }),

        unmute: (user, groupId) => repo.unmute(user.userId, groupId),

        eventRemindersOf: (users) => repo.remindersOf(users)
      })
    })
  )
}
