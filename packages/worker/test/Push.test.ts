import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { PushSubscriptionId } from "@moim/domain/Notifications/PushSubscription"
import { GroupNotifier } from "@moim/server/Groups/GroupNotifier"
import { PushDelivery } from "@moim/server/Notifications/PushDelivery"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"
import { makeDevice, PushService, type ReceivedPush, type TestDevice, verifyVapid } from "./support/PushService.ts"

const subject = "mailto:ops@example.com"

/** The server and a worker in one process, pushing to the test's push service, the one host it may post to. */
const ServerWorkerAndPushService = Layer.unwrap(
  Effect.map(
    Effect.gen(function* () {
      return yield* PushService
    }),
    (push) =>
      WorkerLive.pipe(
        Layer.provideMerge(
          TestServer.layer(
            TestServer.testEnv({
              TRUST_PROXY: "true",
              RATE_LIMIT_USER: "100000",
              RATE_LIMIT_AUTH: "100000",
              PUSH_ALLOWED_HOSTS: push.host,
              VAPID_SUBJECT: subject
            })
          )
        )
      )
  )
).pipe(Layer.provideMerge(PushService.layer))

const expectStatus = (response: JsonResponse, status: number) =>
  assert.strictEqual(response.status, status, response.text)

/** Registers the device as the user's; returns the subscription's id. */
const register = (user: TestUser, device: TestDevice, deviceName?: string) =>
  Effect.gen(function* () {
    const response = yield* call("POST", "/api/v1/me/push-subscriptions", {
      token: user.token,
      body: { endpoint: device.endpoint, keys: device.keys, ...(deviceName === undefined ? {} : { deviceName }) }
    })
    expectStatus(response, 201)
    return PushSubscriptionId.make(String(response.body.id))
  })

/** `owner` invites `user` to the group: a `group.invited` notification, pushed by default. */
const invite = (owner: TestUser, user: TestUser, groupId: string) =>
  Effect.gen(function* () {
    expectStatus(
      yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner.token,
        body: { userId: user.userId }
      }),
      201
    )
  })

const bounded = { interval: "50 millis", timeout: "20 seconds" } as const

/** Waits (bounded) until the device's endpoint was sent `count` pushes. */
const pushesTo = (device: TestDevice, count: number) =>
  Effect.gen(function* () {
    const push = yield* PushService
    return yield* eventually(
      Effect.suspend(() => {
        const received = push.received(device.endpoint)
        return received.length >= count ? Effect.succeed(received) : Effect.fail(received.length)
      }),
      bounded
    ).pipe(Effect.catch((got) => Effect.die(new Error(`expected ${count} pushes to ${device.endpoint}, got ${got}`))))
  })

const PushMessageJson = Schema.fromJsonString(
  Schema.Struct({
    id: Schema.String,
    type: Schema.String,
    text: Schema.String,
    subject: Schema.Struct({ kind: Schema.String, id: Schema.String }),
    updatedAt: Schema.String
  })
)
const decodeMessage = Schema.decodeUnknownSync(PushMessageJson)

const Listed = Schema.Struct({
  id: Schema.String,
  type: Schema.String,
  text: Schema.String,
  subject: Schema.Struct({ kind: Schema.String, id: Schema.String }),
  updatedAt: Schema.String
})

const notificationsOf = (user: TestUser) =>
  Effect.gen(function* () {
    const response = yield* call("GET", "/api/v1/me/notifications", { token: user.token })
    expectStatus(response, 200)
    return Schema.decodeUnknownSync(Schema.Array(Listed))(response.body.items)
  })

const subscriptionIdsOf = (user: TestUser) =>
  Effect.gen(function* () {
    const response = yield* call("GET", "/api/v1/me/push-subscriptions", { token: user.token })
    expectStatus(response, 200)
    return Schema.decodeUnknownSync(Schema.Array(Schema.Struct({ id: Schema.String })))(response.json).map(
      (subscription) => subscription.id
    )
  })

/** Quiet hours from an hour ago to an hour from now, in UTC: pushes now wait about an hour. */
const quietNow = (user: TestUser) =>
  Effect.gen(function* () {
    const minutes = new Date().getUTCHours() * 60 + new Date().getUTCMinutes()
    const time = (value: number) => {
      const wrapped = (value + 1440) % 1440
      return `${String(Math.floor(wrapped / 60)).padStart(2, "0")}:${String(wrapped % 60).padStart(2, "0")}`
    }
    expectStatus(
      yield* call("PATCH", "/api/v1/me/notification-preferences", {
        token: user.token,
        body: { timeZone: "UTC", quietHours: { start: time(minutes - 60), end: time(minutes + 60) } }
      }),
      200
    )
  })

const PushJob = Schema.Struct({ id: Schema.String, runAt: Schema.Date, attempts: Schema.Int })

/** The waiting `DeliverPush` job of a subscription (its key is `push:<notification>:<subscription>`). */
const waitingPush = (subscriptionId: PushSubscriptionId) =>
  eventually(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`
        SELECT id::text, run_at, attempts FROM graphile_worker.jobs
        WHERE task_identifier = 'DeliverPush' AND split_part(key, ':', 3) = ${subscriptionId}`.pipe(Effect.orDie)
      const [job] = Schema.decodeUnknownSync(Schema.Array(PushJob))(rows)
      return job === undefined ? yield* Effect.fail("no job yet") : job
    }),
    bounded
  )

/** Makes a waiting job due at once, as if its quiet hours had ended. */
const dueNow = (jobId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE id = ${jobId}::bigint`.pipe(Effect.orDie)
  })

const jobGone = (jobId: string) =>
  eventually(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`SELECT 1 FROM graphile_worker.jobs WHERE id = ${jobId}::bigint`.pipe(Effect.orDie)
      if (rows.length > 0) return yield* Effect.fail("the job is still there")
    }),
    bounded
  )

const successes = (received: ReadonlyArray<ReceivedPush>) => received.filter((push) => push.status === 201)

layer(ServerWorkerAndPushService, { excludeTestServices: true, timeout: "180 seconds" })("Web push", (it) => {
  it.effect("a notification reaches each of the recipient's devices, readable only with that device's keys", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olga")
      const ada = yield* signUp("Ada")
      const key = yield* call("GET", "/api/v1/push/public-key")
      expectStatus(key, 200)
      const push = yield* PushService
      const phone = push.device()
      const laptop = push.device()
      const phoneId = yield* register(ada, phone, "Phone")
      yield* register(ada, laptop)

      const groupId = yield* createGroup(owner, { name: "Hikers of the North", joinPolicy: "invite" })
      yield* invite(owner, ada, groupId)
      const [onPhone] = yield* pushesTo(phone, 1)
      const [onLaptop] = yield* pushesTo(laptop, 1)
      if (onPhone === undefined || onLaptop === undefined) return assert.fail("no push")

      const [invited] = yield* notificationsOf(ada)
      const message = decodeMessage(phone.decrypt(onPhone.body))
      assert.deepStrictEqual(message, {
        id: invited?.id ?? "",
        type: "group.invited",
        text: "Olga invited you to join Hikers of the North",
        subject: invited?.subject ?? { kind: "", id: "" },
        updatedAt: invited?.updatedAt ?? ""
      })
      assert.deepStrictEqual(decodeMessage(laptop.decrypt(onLaptop.body)), message)
      // Each device's push is encrypted for it alone.
      assert.throws(() => laptop.decrypt(onPhone.body))

      assert.strictEqual(onPhone.headers["content-encoding"], "aes128gcm")
      assert.strictEqual(onPhone.headers.ttl, "86400")
      assert.strictEqual(onPhone.headers.urgency, "normal")
      assert.strictEqual(onPhone.headers.topic, message.id.replaceAll("-", ""))
      const vapid = verifyVapid(onPhone.headers, phone.endpoint)
      assert.strictEqual(vapid.publicKey, key.body.publicKey)
      assert.strictEqual(vapid.subject, subject)

      // The job run again (graphile-worker runs a job at least once) pushes nothing twice.
      const delivery = yield* PushDelivery
      const again = yield* delivery.deliver(NotificationId.make(message.id), phoneId)
      assert.strictEqual(again, "skipped")
      assert.lengthOf(push.received(phone.endpoint), 1)
    })
  )

  it.effect("a subscription its push service answers 404 or 410 for is removed", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owen")
      const bea = yield* signUp("Bea")
      const push = yield* PushService
      const [expired, unknown, working] = [push.device(), push.device(), push.device()]
      push.script(expired.endpoint, [410])
      push.script(unknown.endpoint, [404])
      yield* register(bea, expired)
      yield* register(bea, unknown)
      const workingId = yield* register(bea, working)

      yield* invite(owner, bea, yield* createGroup(owner, { name: "Chess club", joinPolicy: "invite" }))
      yield* pushesTo(expired, 1)
      yield* pushesTo(unknown, 1)
      yield* pushesTo(working, 1)
      yield* eventually(
        Effect.flatMap(subscriptionIdsOf(bea), (ids) =>
          ids.length === 1 ? Effect.succeed(ids) : Effect.fail(`still ${ids.length} subscriptions`)
        ),
        bounded
      )
      assert.deepStrictEqual(yield* subscriptionIdsOf(bea), [workingId])
    })
  )

  it.effect("a push service that fails (500) is tried again until it takes the push", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Orla")
      const cy = yield* signUp("Cy")
      const push = yield* PushService
      const flaky = push.device()
      push.script(flaky.endpoint, [500])
      yield* register(cy, flaky)

      yield* invite(owner, cy, yield* createGroup(owner, { name: "Night owls", joinPolicy: "invite" }))
      const received = yield* pushesTo(flaky, 2)
      assert.deepStrictEqual(
        received.map((attempt) => attempt.status),
        [500, 201]
      )
      const [retried] = successes(received)
      if (retried === undefined) return assert.fail("no successful push")
      assert.strictEqual(decodeMessage(flaky.decrypt(retried.body)).text, "Orla invited you to join Night owls")
    })
  )

  it.effect("quiet hours hold a push until they end; then it goes out", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Quinn")
      const dora = yield* signUp("Dora")
      const push = yield* PushService
      const device = push.device()
      const subscriptionId = yield* register(dora, device)
      yield* quietNow(dora)

      const before = Date.now()
      yield* invite(owner, dora, yield* createGroup(owner, { name: "Early birds", joinPolicy: "invite" }))
      const job = yield* waitingPush(subscriptionId)
      const wait = job.runAt.getTime() - before
      assert.isAbove(wait, 58 * 60_000, `due at ${job.runAt.toISOString()}`)
      assert.isAtMost(wait, 61 * 60_000, `due at ${job.runAt.toISOString()}`)
      // In-app does not wait.
      assert.lengthOf(yield* notificationsOf(dora), 1)
      assert.lengthOf(push.received(device.endpoint), 0)

      yield* dueNow(job.id)
      const [pushed] = yield* pushesTo(device, 1)
      if (pushed === undefined) return assert.fail("no push")
      assert.strictEqual(decodeMessage(device.decrypt(pushed.body)).type, "group.invited")
    })
  )

  it.effect("nothing is pushed for a notification read while it waited, nor to a device that changed hands", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Rhea")
      const eve = yield* signUp("Eve")
      const fay = yield* signUp("Fay")
      const push = yield* PushService
      const eveDevice = push.device()
      const shared = push.device()
      const eveSubscription = yield* register(eve, eveDevice)
      const sharedSubscription = yield* register(eve, shared)
      yield* quietNow(eve)

      yield* invite(owner, eve, yield* createGroup(owner, { name: "Book circle", joinPolicy: "invite" }))
      const waiting = yield* waitingPush(eveSubscription)
      const waitingShared = yield* waitingPush(sharedSubscription)
      // Eve reads it in the app; Fay signs in on the shared browser, which registers it as hers.
      expectStatus(yield* call("POST", "/api/v1/me/notifications/read", { token: eve.token }), 200)
      yield* register(fay, { ...shared, keys: makeDevice(shared.endpoint).keys })
      assert.deepStrictEqual(yield* subscriptionIdsOf(eve), [eveSubscription])

      yield* dueNow(waiting.id)
      yield* dueNow(waitingShared.id)
      yield* jobGone(waiting.id)
      yield* jobGone(waitingShared.id)
      assert.lengthOf(push.received(eveDevice.endpoint), 0)
      assert.lengthOf(push.received(shared.endpoint), 0)
    })
  )

  it.effect("a large audience is queued in batches, one job per device, none for those without one", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const notifier = yield* GroupNotifier
      const push = yield* PushService
      const owner = yield* signUp("Big host")
      const groupId = GroupId.make(yield* createGroup(owner, { name: "Crowd", joinPolicy: "approval" }))
      // 1,200 admins (two batches of a delivery), 40 of them with a device, all in quiet hours so the
      // jobs wait to be counted.
      const admins = Array.from({ length: 1200 }, () => UserId.make(randomUUID()))
      const withDevice = admins.filter((_, index) => index % 30 === 0)
      const devices = withDevice.map(() => push.device())
      yield* sql`
        INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
        SELECT id, 'crowd-' || id || '@example.com', NULL, 'Crowd', 'user', now(), now()
        FROM unnest(${admins}::uuid[]) AS id`
      yield* sql`
        INSERT INTO group_members (group_id, user_id, role, joined_at)
        SELECT ${groupId}, id, 'admin', now() FROM unnest(${admins}::uuid[]) AS id`
      const minutes = new Date().getUTCHours() * 60 + new Date().getUTCMinutes()
      yield* sql`
        INSERT INTO notification_settings (user_id, time_zone, quiet_start, quiet_end, digest, updated_at)
        SELECT id, 'UTC', ${(minutes + 1380) % 1440}, ${(minutes + 60) % 1440}, 'off', now()
        FROM unnest(${admins}::uuid[]) AS id`
      yield* sql`
        INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, device_name, created_at, updated_at)
        SELECT gen_random_uuid(), owner_id, endpoint, p256dh, auth, NULL, now(), now()
        FROM unnest(${withDevice}::uuid[], ${devices.map((device) => device.endpoint)}::text[],
          ${devices.map((device) => device.keys.p256dh)}::text[], ${devices.map((device) => device.keys.auth)}::text[])
          AS device (owner_id, endpoint, p256dh, auth)`

      const requester = UserId.make((yield* signUp("Rush")).userId)
      yield* notifier.notify(randomUUID(), { _tag: "JoinRequested", groupId, by: requester })
      const rows = yield* sql`
        SELECT split_part(key, ':', 3) AS subscription_id FROM graphile_worker.jobs
        WHERE task_identifier = 'DeliverPush' AND split_part(key, ':', 2) IN (
          SELECT id::text FROM notifications WHERE subject_id = ${groupId})`
      const queued = Schema.decodeUnknownSync(Schema.Array(Schema.Struct({ subscriptionId: Schema.String })))(rows)
      const registered = yield* sql`
        SELECT id::text FROM push_subscriptions WHERE user_id = ANY(${withDevice}::uuid[])`
      const expected = Schema.decodeUnknownSync(Schema.Array(Schema.Struct({ id: Schema.String })))(registered)
      assert.lengthOf(queued, 40)
      assert.deepStrictEqual(queued.map((job) => job.subscriptionId).sort(), expected.map((row) => row.id).sort())
    }).pipe(Effect.orDie)
  )
})
