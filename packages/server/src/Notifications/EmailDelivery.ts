import type { UserId } from "@moim/domain/Accounts/User"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import { NotificationKinds } from "@moim/domain/Notifications/Catalogue"
import { UnsubscribeFromEmail } from "@moim/domain/Notifications/EmailApi"
import { SendNotificationDigest } from "@moim/domain/Notifications/EmailJobs"
import type { NotificationId } from "@moim/domain/Notifications/Notification"
import type { AnyKind } from "@moim/domain/Notifications/NotificationKind"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { AppConfig } from "../platform/AppConfig.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Transaction } from "../platform/Transaction.ts"
import { defaultSettings, deliverAt, plan } from "./ChannelPlan.ts"
import { appLinkOf, appPages, digestEmail, singleEmail } from "./EmailContent.ts"
import { digestPeriod } from "./EmailDigestSchedule.ts"
import { EmailsRepo } from "./EmailsRepo.ts"
import { EmailUnsubscribeTokens, type UnsubscribeClaim } from "./EmailUnsubscribeTokens.ts"
import { NotificationSubjects } from "./NotificationSubjects.ts"
import { NotificationViews } from "./NotificationViews.ts"
import { PreferencesRepo } from "./PreferencesRepo.ts"

const kindsByType = new Map<string, AnyKind>(NotificationKinds.map((kind) => [kind.type, kind] as const))

/** How many unread notifications one digest considers, and how many it lists. */
export const digestScan = 100
export const digestListed = 20
/** Digest records older than this are forgotten (a period is one day). */
const digestRetentionDays = 14
/** How many digest jobs the cron adds per statement. */
const digestJobBatch = 1000

/** The one-click unsubscribe endpoint's path, as served under the API's prefix. */
export const unsubscribePath = `/api/v1${UnsubscribeFromEmail.endpoint.path}`

/**
 * The email channel at send time, run by the worker: single notification emails (the job the
 * `EmailDispatcher` queues), and digests (queued hourly for the users whose 08:00 it is). Everything
 * is checked again when the email is written, not when it was queued: a notification read, deleted,
 * hidden from the recipient or no longer wanted on email (their preferences changed meanwhile) is not
 * emailed, and an account without a verified address gets nothing. Each notification is emailed at
 * most once (`notification_emails`), each digest period at most once (`notification_digests`), in the
 * same transaction as the `SendEmail` job that carries it: a job run twice emails nothing twice.
 */
export class EmailDelivery extends Context.Service<
  EmailDelivery,
  {
    /** Emails one notification if it is still unread, visible, wanted on email, and not emailed yet. */
    readonly sendOne: (id: NotificationId) => Effect.Effect<void>
    /** Queues a digest job for every user whose digest is due at `now`; returns how many were queued. */
    readonly enqueueDueDigests: (now: DateTime.Utc) => Effect.Effect<number>
    /** Emails the user's digest of a period, unless it went out already or nothing is left to tell. */
    readonly sendDigest: (userId: UserId, period: string) => Effect.Effect<void>
  }
>()("@moim/server/Notifications/EmailDelivery") {
  static readonly layer = Layer.effect(
    EmailDelivery,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* EmailsRepo
      const preferences = yield* PreferencesRepo
      const subjects = yield* NotificationSubjects
      const views = yield* NotificationViews
      const profiles = yield* Profiles
      const jobs = yield* JobQueue
      const tokens = yield* EmailUnsubscribeTokens
      const { appUrl, publicUrl } = yield* AppConfig
      const pages = appPages(appUrl)

      /** The footer links and the RFC 8058 headers of an email that `claim` unsubscribes from. */
      const unsubscribing = (claim: UnsubscribeClaim) => {
        const token = tokens.sign(claim)
        return {
          unsubscribeUrl: pages.unsubscribe(token),
          headers: {
            "List-Unsubscribe": `<${publicUrl}${unsubscribePath}?token=${encodeURIComponent(token)}>`,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"
          }
        }
      }

      const skip = (reason: string, annotations: Record<string, unknown>) =>
        Effect.logDebug(`notification email skipped: ${reason}`).pipe(Effect.annotateLogs(annotations))

      const sendOne = Effect.fn("EmailDelivery.sendOne")(function* (id: NotificationId) {
        const pending = yield* repo.pending(id)
        if (Option.isNone(pending)) return yield* skip("read, deleted or emailed already", { id })
        const row = pending.value
        const kind = kindsByType.get(row.type)
        if (kind === undefined) return yield* skip("unknown type", { id, type: row.type })
        const [recipients, settings, overrides, muted] = yield* Effect.all([
          profiles.emailRecipients([row.recipientId]),
          preferences.settingsOf([row.recipientId]),
          preferences.overridesOf([row.recipientId], row.type),
          row.groupId === null || !kind.mutedWithGroup
            ? Effect.succeed(new Set<UserId>())
            : preferences.mutedAmong([row.recipientId], row.groupId)
        ])
        const recipient = recipients.get(row.recipientId)
        if (recipient === undefined) return yield* skip("no verified address", { id })
        const now = yield* DateTime.now
        const userSettings = settings.get(row.recipientId) ?? defaultSettings
        const wanted = plan({
          kind,
          settings: userSettings,
          overrides: new Map(overrides.map((override) => [override.channel, override.enabled] as const)),
          groupMuted: muted.has(row.recipientId),
          now
        })
        // Preferences may have changed since delivery: email off, a digest chosen, the group muted.
        if (Option.isNone(wanted.email)) return yield* skip("not wanted on email any more", { id })
        const runAt = wanted.email.value
        const subject = { kind: row.subjectKind, id: row.subjectId }
        const visible = yield* subjects.visible({ userId: recipient.userId, siteRole: recipient.role }, [subject])
        if (!visible.has(NotificationSubjects.keyOf(subject))) return yield* skip("subject hidden", { id })
        const [notification] = yield* views.notifications([row])
        if (notification === undefined) return yield* skip("does not match its kind", { id })
        const unsubscribe = unsubscribing({ userId: recipient.userId, type: kind.type })
        const email = singleEmail({
          nickname: recipient.nickname,
          sentence: notification.text,
          link: appLinkOf(appUrl, notification.subject),
          footer: {
            reason: `emails about “${kind.description}” are on`,
            unsubscribeUrl: unsubscribe.unsubscribeUrl,
            preferencesUrl: pages.preferences
          }
        })
        yield* transaction(
          Effect.gen(function* () {
            const claimed = yield* repo.claim(recipient.userId, [row.id], "single")
            if (claimed.length === 0) return
            // Quiet hours may have begun since the job was queued: the email waits for their end.
            yield* jobs.enqueue(SendEmail, { to: recipient.email, ...email, headers: unsubscribe.headers }, { runAt })
          })
        )
      })

      const enqueueDueDigests = Effect.fn("EmailDelivery.enqueueDueDigests")(function* (now: DateTime.Utc) {
        const zones = yield* repo.digestZones
        let queued = 0
        for (const zone of zones) {
          const period = digestPeriod(now, zone.timeZone, zone.digest)
          if (Option.isNone(period)) continue
          let after: UserId | null = null
          while (true) {
            const users: ReadonlyArray<UserId> = yield* repo.digestUsers({ zone, after, limit: digestJobBatch })
            queued += yield* jobs.enqueueMany(
              SendNotificationDigest,
              users.map((userId) => ({ payload: { userId, period: period.value } }))
            )
            const last = users.at(-1)
            if (users.length < digestJobBatch || last === undefined) break
            after = last
          }
        }
        yield* repo.pruneDigests(digestRetentionDays)
        yield* Effect.annotateCurrentSpan({ queued })
        return queued
      })

      const sendDigest = Effect.fn("EmailDelivery.sendDigest")(function* (userId: UserId, period: string) {
        const settings = (yield* preferences.settingsOf([userId])).get(userId) ?? defaultSettings
        const frequency = settings.digest
        if (frequency === "off") return yield* skip("digest turned off", { userId, period })
        if (yield* repo.digestSent(userId, period)) return yield* skip("digest sent already", { userId, period })
        const recipient = (yield* profiles.emailRecipients([userId])).get(userId)
        if (recipient === undefined) return yield* skip("no verified address", { userId })
        const [rows, overrides] = yield* Effect.all([
          repo.pendingFor(userId, digestScan),
          preferences.overridesOf([userId])
        ])
        const chosen = new Map(overrides.map((row) => [`${row.type}:${row.channel}`, row.enabled] as const))
        // The digest replaces single emails: only the kinds the user still wants emails of.
        const wanted = rows.filter((row) => {
          const kind = kindsByType.get(row.type)
          return kind !== undefined && (chosen.get(`${row.type}:email`) ?? kind.defaults.email)
        })
        const visible = yield* subjects.visible(
          { userId, siteRole: recipient.role },
          wanted.map((row) => ({ kind: row.subjectKind, id: row.subjectId }))
        )
        const shown = yield* views.notifications(
          wanted.filter((row) => visible.has(NotificationSubjects.keyOf({ kind: row.subjectKind, id: row.subjectId })))
        )
        if (shown.length === 0) return yield* skip("nothing to tell", { userId, period })
        const unsubscribe = unsubscribing({ userId, type: null })
        const listed = shown.slice(0, digestListed)
        const email = digestEmail({
          nickname: recipient.nickname,
          frequency,
          items: listed.map((notification) => ({
            sentence: notification.text,
            link: appLinkOf(appUrl, notification.subject)
          })),
          more: shown.length - listed.length,
          allUrl: pages.notifications,
          footer: {
            reason: `you chose a ${frequency} digest of your notifications`,
            unsubscribeUrl: unsubscribe.unsubscribeUrl,
            preferencesUrl: pages.preferences
          }
        })
        const runAt = deliverAt(yield* DateTime.now, settings)
        yield* transaction(
          Effect.gen(function* () {
            if (!(yield* repo.claimDigest(userId, period, shown.length))) return
            yield* repo.claim(
              userId,
              shown.map((notification) => notification.id),
              "digest"
            )
            yield* jobs.enqueue(SendEmail, { to: recipient.email, ...email, headers: unsubscribe.headers }, { runAt })
          })
        )
      })

      return EmailDelivery.of({ sendOne, enqueueDueDigests, sendDigest })
    })
  )
}
