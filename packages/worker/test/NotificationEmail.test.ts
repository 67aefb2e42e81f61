import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import { SendNotificationDigest, SendNotificationEmail } from "@moim/domain/Notifications/EmailJobs"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { EmailDelivery } from "@moim/server/Notifications/EmailDelivery"
import { JobQueue } from "@moim/server/platform/JobQueue"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { type Email, readOutbox } from "../../server/test/support/Mime.ts"
import { withRpcClient } from "../../server/test/support/RpcTestClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const appUrl = "https://app.moim.test"
const env = TestServer.testEnv({
  TRUST_PROXY: "true",
  RATE_LIMIT_USER: "100000",
  RATE_LIMIT_AUTH: "100000",
  MOIM_APP_URL: appUrl
})
const outbox = join(env.MOIM_DATA_DIR ?? "", "outbox")

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const emailsTo = (user: TestUser): ReadonlyArray<Email> =>
  readOutbox(outbox).filter((email) => email.headers.get("to") === user.email)

const notificationEmailsTo = (user: TestUser) =>
  emailsTo(user).filter((email) => email.headers.get("subject") !== "Confirm your email address for Moim")

/** Waits (bounded) until `probe` answers something, as the worker gets to it. */
const waitFor = <A, R>(probe: Effect.Effect<A | undefined, never, R>, what: string) =>
  eventually(
    Effect.flatMap(probe, (value) => (value === undefined ? Effect.fail(what) : Effect.succeed(value))),
    { interval: "100 millis", timeout: "20 seconds" }
  ).pipe(Effect.orElseSucceed(() => assert.fail(`timed out waiting for ${what}`)))

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag)
}

/** Signs up and proves the address with the link of the verification email, as a person does. */
const verifiedUser = (nickname: string) =>
  Effect.gen(function* () {
    const user = yield* signUp(nickname)
    const email = yield* waitFor(
      Effect.sync(() => emailsTo(user)[0]),
      `the verification email of ${nickname}`
    )
    const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(email.text ?? "")?.[1]
    assert.isDefined(token, email.text)
    expectStatus(yield* call("POST", "/api/v1/auth/verify-email", { body: { token } }), 204)
    return user
  })

interface Listed {
  readonly id: string
  readonly type: string
  readonly text: string
  readonly data: Record<string, unknown>
}

const notificationsOf = (user: TestUser, count: number) =>
  waitFor(
    Effect.map(call("GET", "/api/v1/me/notifications", { token: user.token }), (response) => {
      const items = response.body.items as ReadonlyArray<Listed>
      return items.length >= count ? items : undefined
    }),
    `${count} notifications`
  )

const invite = (owner: TestUser, invitee: TestUser, groupName: string) =>
  Effect.gen(function* () {
    const groupId = yield* createGroup(owner, { name: groupName, joinPolicy: "invite" })
    const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
      token: owner.token,
      body: { userId: invitee.userId }
    })
    expectStatus(invited, 201)
    return { groupId, invitationId: String(invited.body.id) }
  })

const preferences = (user: TestUser) =>
  Effect.map(call("GET", "/api/v1/me/notification-preferences", { token: user.token }), (response) => {
    expectStatus(response, 200)
    return response.body
  })

const emailOn = (user: TestUser, type: string) =>
  Effect.map(preferences(user), (body) => {
    const types = body.types as ReadonlyArray<{ readonly type: string; readonly email: boolean }>
    return types.find((entry) => entry.type === type)?.email
  })

const TimeRow = Schema.Struct({ runAt: Schema.Date })

/** The waiting email job of a notification, if there is one (jobs are keyed by their notification). */
const emailJobOf = (notificationId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`
      SELECT run_at FROM graphile_worker.jobs WHERE key = ${`notification-email:${notificationId}`}`
    return rows.length === 0 ? undefined : Schema.decodeUnknownSync(TimeRow)(rows[0])
  }).pipe(Effect.orDie)

const jobCount = (task: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = ${task}`
    return Schema.decodeUnknownSync(Schema.Struct({ count: Schema.Int }))(rows[0]).count
  }).pipe(Effect.orDie)

/** Waits until the worker has run every job of `task`: by then it has sent (or not) what they carry. */
const drained = (task: string) =>
  waitFor(
    Effect.map(jobCount(task), (count) => (count === 0 ? true : undefined)),
    `no ${task} job left`
  )

/** The link a mail client's unsubscribe button POSTs to: the URL in `List-Unsubscribe`. */
const unsubscribeLinkOf = (email: Email) => {
  const header = email.headers.get("list-unsubscribe") ?? ""
  const link = /^<(https?:\/\/[^>]+)>$/.exec(header)?.[1]
  assert.isDefined(link, header)
  return link ?? ""
}

/** What a mail client does with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). */
const oneClick = (link: string) =>
  Effect.promise(() =>
    fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "203.0.113.9" },
      body: "List-Unsubscribe=One-Click"
    })
  )

const open = (link: string) =>
  Effect.promise(async () => {
    const response = await fetch(link, { headers: { "x-forwarded-for": "203.0.113.9" } })
    const body: unknown = await response.json()
    return {
      status: response.status,
      body: Schema.decodeUnknownSync(Schema.Record(Schema.String, Schema.Unknown))(body)
    }
  })

/** `HH:MM` of a UTC instant plus `minutes`. */
const clockAt = (now: DateTime.Utc, minutes: number) => {
  const later = DateTime.add(now, { minutes })
  const pad = (value: number) => String(value).padStart(2, "0")
  return `${pad(DateTime.getPartUtc(later, "hour"))}:${pad(DateTime.getPartUtc(later, "minute"))}`
}

layer(ServerAndWorker, { excludeTestServices: true, timeout: "180 seconds" })("Notification emails", (it) => {
  it.effect("one email per notification: text and HTML, a link to the app, and one-click unsubscribe", () =>
    Effect.gen(function* () {
      const owner = yield* verifiedUser("Olga")
      const ada = yield* verifiedUser("Ada")
      const { invitationId } = yield* invite(owner, ada, "Hikers <North> & co")

      const email = yield* waitFor(
        Effect.sync(() => notificationEmailsTo(ada)[0]),
        "the invitation email"
      )
      assert.strictEqual(email.headers.get("subject"), "Olga invited you to join Hikers <North> & co")
      assert.isTrue(email.headers.get("content-type")?.startsWith("multipart/alternative"))
      assert.strictEqual(email.headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click")
      const link = unsubscribeLinkOf(email)
      assert.isTrue(link.startsWith(`${yield* TestServer.baseUrl}/api/v1/notifications/email/unsubscribe?token=`))

      const text = email.text ?? ""
      assert.include(text, "Hello Ada,")
      assert.include(text, "Olga invited you to join Hikers <North> & co")
      assert.include(text, `See the invitation: ${appUrl}/invitations/${invitationId}`)
      assert.include(text, "emails about “You are invited to a group” are on")
      assert.match(text, new RegExp(`Unsubscribe: ${appUrl}/unsubscribe\\?token=\\S+`))
      const html = email.html ?? ""
      assert.include(html, "Olga invited you to join Hikers &lt;North&gt; &amp; co")
      assert.notInclude(html, "<North>")
      assert.include(html, `<a href="${appUrl}/invitations/${invitationId}">See the invitation</a>`)

      // Opening the link (a GET, as a link checker or a browser does) changes nothing.
      const opened = yield* open(link)
      assert.strictEqual(opened.status, 200)
      assert.strictEqual(opened.body.type, "group.invited")
      assert.strictEqual(opened.body.email, true)
      assert.isTrue(yield* emailOn(ada, "group.invited"))

      // A link altered or made up is refused, and changes nothing either.
      const token = new URL(link).searchParams.get("token") ?? ""
      const [claim = "", signature = ""] = token.split(".")
      const forged = `${Buffer.from(`v1:${owner.userId}:group.invited:email`).toString("base64url")}.${signature}`
      for (const bad of [forged, `${claim}.${signature.slice(1)}`, "nonsense"]) {
        const path = `/api/v1/notifications/email/unsubscribe?token=${encodeURIComponent(bad)}`
        expectStatus(yield* call("GET", path), 400, "InvalidUnsubscribeLink")
        expectStatus(yield* call("POST", path), 400, "InvalidUnsubscribeLink")
      }
      expectStatus(yield* call("POST", "/api/v1/notifications/email/unsubscribe"), 400, "InvalidRequest")
      assert.isTrue(yield* emailOn(ada, "group.invited"))
      assert.isTrue(yield* emailOn(owner, "group.invited"))

      // The same over RPC, for an app's own unsubscribe page.
      const described = yield* withRpcClient("http", Effect.succeedNone, (client) =>
        client.DescribeEmailUnsubscribe({ token })
      )
      assert.deepStrictEqual([described.type, described.email], ["group.invited", true])
      const refused = yield* withRpcClient("http", Effect.succeedNone, (client) =>
        Effect.flip(client.UnsubscribeFromEmail({ token: forged }))
      )
      assert.strictEqual(refused._tag, "InvalidUnsubscribeLink")

      // The mail client's one-click POST turns that kind's emails off; again changes nothing.
      assert.strictEqual((yield* oneClick(link)).status, 204)
      assert.isFalse(yield* emailOn(ada, "group.invited"))
      assert.isTrue(yield* emailOn(ada, "group.joinApproved"))
      assert.strictEqual((yield* oneClick(link)).status, 204)
      yield* withRpcClient("http", Effect.succeedNone, (client) => client.UnsubscribeFromEmail({ token }))
      assert.strictEqual((yield* open(link)).body.email, false)

      // With email off, the next invitation is in the app and nowhere else: no job, no email.
      yield* invite(owner, ada, "Second club")
      const [latest] = yield* notificationsOf(ada, 2)
      assert.strictEqual(latest?.text, "Olga invited you to join Second club")
      assert.isUndefined(yield* emailJobOf(latest?.id ?? ""))
      yield* drained(SendNotificationEmail.name)
      assert.lengthOf(notificationEmailsTo(ada), 1)
    })
  )

  it.effect("quiet hours hold the email until they end; what was read meanwhile is not emailed", () =>
    Effect.gen(function* () {
      const owner = yield* verifiedUser("Quinn")
      const nora = yield* verifiedUser("Nora")
      const now = yield* DateTime.now
      // Quiet from an hour ago until two hours from now, in UTC.
      const quietHours = { start: clockAt(now, -60), end: clockAt(now, 120) }
      expectStatus(
        yield* call("PATCH", "/api/v1/me/notification-preferences", { token: nora.token, body: { quietHours } }),
        200
      )
      yield* invite(owner, nora, "Read at night")
      yield* invite(owner, nora, "Left for the morning")
      const [morning, night] = yield* notificationsOf(nora, 2)

      const end = DateTime.formatIso(DateTime.add(DateTime.startOf(now, "minute"), { minutes: 120 }))
      for (const notification of [morning, night]) {
        const job = yield* waitFor(emailJobOf(notification?.id ?? ""), "the waiting email job")
        assert.strictEqual(job.runAt.toISOString(), end)
      }
      assert.lengthOf(notificationEmailsTo(nora), 0)

      // Nora reads one in the app; then the quiet hours are over (brought forward by the test).
      expectStatus(yield* call("POST", `/api/v1/me/notifications/${night?.id}/read`, { token: nora.token }), 204)
      expectStatus(
        yield* call("PATCH", "/api/v1/me/notification-preferences", { token: nora.token, body: { quietHours: null } }),
        200
      )
      const sql = yield* SqlClient.SqlClient
      yield* sql`
        UPDATE graphile_worker._private_jobs SET run_at = now()
        WHERE key IN (${`notification-email:${morning?.id}`}, ${`notification-email:${night?.id}`})`.pipe(Effect.orDie)

      const email = yield* waitFor(
        Effect.sync(() => notificationEmailsTo(nora)[0]),
        "the email after the quiet hours"
      )
      assert.strictEqual(email.headers.get("subject"), "Quinn invited you to join Left for the morning")
      yield* drained(SendNotificationEmail.name)
      yield* drained("SendEmail")
      assert.lengthOf(notificationEmailsTo(nora), 1)
    })
  )

  it.effect("an address that is not verified is never emailed", () =>
    Effect.gen(function* () {
      const owner = yield* verifiedUser("Vera")
      const unverified = yield* signUp("Uma")
      yield* invite(owner, unverified, "Unconfirmed")
      // Its email job was queued with the notification: once that is shown, the job exists or has run.
      yield* notificationsOf(unverified, 1)
      yield* drained(SendNotificationEmail.name)
      yield* drained("SendEmail")
      assert.lengthOf(notificationEmailsTo(unverified), 0)
    })
  )

  it.effect("a digest replaces single emails: one email of the unread notifications, once per period", () =>
    Effect.gen(function* () {
      const owner = yield* verifiedUser("Dora")
      const reader = yield* verifiedUser("Rex")
      // A time zone where it is 20:00 now, so the real hourly cron never finds this digest due;
      // the test asks for the digests due twelve hours from now, 08:00 there.
      const now = yield* DateTime.now
      const offset = (((20 - DateTime.getPartUtc(now, "hour")) % 24) + 24) % 24
      const hours = offset > 14 ? offset - 24 : offset
      const timeZone = hours === 0 ? "Etc/GMT" : `Etc/GMT${hours > 0 ? "-" : "+"}${Math.abs(hours)}`
      expectStatus(
        yield* call("PATCH", "/api/v1/me/notification-preferences", {
          token: reader.token,
          body: { timeZone, digest: "daily" }
        }),
        200
      )
      for (const name of ["Alpha club", "Beta club", "Gamma club"]) yield* invite(owner, reader, name)
      const listed = yield* notificationsOf(reader, 3)
      for (const notification of listed) assert.isUndefined(yield* emailJobOf(notification.id))
      yield* drained(SendNotificationEmail.name)
      yield* drained("SendEmail")
      assert.lengthOf(notificationEmailsTo(reader), 0)
      const gamma = listed.find((notification) => notification.text.endsWith("Gamma club"))
      expectStatus(yield* call("POST", `/api/v1/me/notifications/${gamma?.id}/read`, { token: reader.token }), 204)

      const delivery = yield* EmailDelivery
      const morning = DateTime.add(now, { hours: 12 })
      assert.isAtLeast(yield* delivery.enqueueDueDigests(morning), 1)
      const digest = yield* waitFor(
        Effect.sync(() => notificationEmailsTo(reader)[0]),
        "the digest"
      )
      assert.strictEqual(digest.headers.get("subject"), "Your daily Moim digest: 2 unread notifications")
      const text = digest.text ?? ""
      assert.include(text, "- Dora invited you to join Beta club")
      assert.include(text, "- Dora invited you to join Alpha club")
      assert.notInclude(text, "Gamma club")
      assert.isBelow(text.indexOf("Beta club"), text.indexOf("Alpha club"))
      assert.include(digest.html ?? "", "Dora invited you to join Alpha club</a></li>")
      assert.strictEqual(digest.headers.get("list-unsubscribe-post"), "List-Unsubscribe=One-Click")

      // The cron may run twice in the hour: the period is emailed once.
      yield* delivery.enqueueDueDigests(morning)
      yield* drained(SendNotificationDigest.name)
      yield* drained("SendEmail")
      assert.lengthOf(notificationEmailsTo(reader), 1)
      const sql = yield* SqlClient.SqlClient
      const emailed =
        yield* sql`SELECT notification_id FROM notification_emails WHERE recipient_id = ${reader.userId}`.pipe(
          Effect.orDie
        )
      assert.lengthOf(emailed, 2)

      // The digest's link stops every notification email.
      const link = unsubscribeLinkOf(digest)
      const described = yield* open(link)
      assert.isNull(described.body.type)
      assert.strictEqual((yield* oneClick(link)).status, 204)
      const types = (yield* preferences(reader)).types as ReadonlyArray<{ readonly email: boolean }>
      assert.isTrue(types.every((type) => !type.email))
    })
  )
})

layer(TestServer.platformLayer(), { excludeTestServices: true })("Email jobs in batches", (it) => {
  it.effect("a batch of jobs is one statement, each with its own run time; a repeated key counts once", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const queue = yield* JobQueue
      const later = DateTime.add(yield* DateTime.now, { hours: 6 })
      const idOf = (index: number) => NotificationId.make(`0195f4c2-7b1e-7c3a-9a59-${String(index).padStart(12, "0")}`)
      const entries = Array.from({ length: 1000 }, (_, index) => ({
        payload: { notificationId: idOf(index) },
        runAt: DateTime.add(later, { minutes: index % 2 })
      }))
      // The first notification again, later: the last entry of a key is the one kept.
      const again = { payload: { notificationId: idOf(0) }, runAt: DateTime.add(later, { minutes: 30 }) }
      const added = yield* sql.withTransaction(queue.enqueueMany(SendNotificationEmail, [...entries, again]))
      assert.strictEqual(added, 1000)
      assert.strictEqual(yield* jobCount(SendNotificationEmail.name), 1000)
      const rows = yield* sql`
        SELECT run_at, max_attempts FROM graphile_worker.jobs
        WHERE key IN (${`notification-email:${idOf(0)}`}, ${`notification-email:${idOf(1)}`})
        ORDER BY key`
      const decoded = Schema.decodeUnknownSync(
        Schema.Array(Schema.Struct({ runAt: Schema.Date, maxAttempts: Schema.Int }))
      )(rows)
      assert.deepStrictEqual(
        decoded.map((row) => [row.runAt.toISOString(), row.maxAttempts]),
        [
          [DateTime.formatIso(DateTime.add(later, { minutes: 30 })), SendNotificationEmail.maxAttempts],
          [DateTime.formatIso(DateTime.add(later, { minutes: 1 })), SendNotificationEmail.maxAttempts]
        ]
      )
      yield* sql`DELETE FROM graphile_worker._private_jobs`
    }).pipe(Effect.orDie)
  )
})
