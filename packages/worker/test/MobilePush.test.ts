import { assert, layer } from "@effect/vitest"
import { MobileDeviceId } from "@moim/domain/Notifications/MobileDevice"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { MobilePushDelivery } from "@moim/server/Notifications/MobilePushDelivery"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { verifyJwt } from "../../server/test/support/MobilePushCredentials.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"
import { fcmInvalidToken, fcmUnavailable, fcmUnregistered, MobilePushServices } from "./support/MobilePushServices.ts"

/** The server and a worker in one process, pushing to the test's FCM and APNs. */
const ServerWorkerAndPushServices = Layer.unwrap(
  Effect.map(
    Effect.gen(function* () {
      return yield* MobilePushServices
    }),
    (services) =>
      WorkerLive.pipe(
        Layer.provideMerge(
          TestServer.layer(
            TestServer.testEnv({
              TRUST_PROXY: "true",
              RATE_LIMIT_USER: "100000",
              RATE_LIMIT_AUTH: "100000",
              ...services.env
            })
          )
        )
      )
  )
).pipe(Layer.provideMerge(MobilePushServices.layer))

const expectStatus = (response: JsonResponse, status: number) =>
  assert.strictEqual(response.status, status, response.text)

const appId = "com.example.moim"

/** Registers the token as the user's phone; returns the device's id. */
const register = (user: TestUser, platform: "fcm" | "apns", token: string) =>
  Effect.gen(function* () {
    const response = yield* call("POST", "/api/v1/me/mobile-devices", {
      token: user.token,
      body: { platform, token, appId }
    })
    expectStatus(response, 201)
    return MobileDeviceId.make(String(response.body.id))
  })

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

/** Waits (bounded) until `requests` holds `count` entries. */
const atLeast = <A>(what: string, requests: () => ReadonlyArray<A>, count: number) =>
  eventually(
    Effect.suspend(() => {
      const seen = requests()
      return seen.length >= count ? Effect.succeed(seen) : Effect.fail(seen.length)
    }),
    bounded
  ).pipe(Effect.catch((got) => Effect.die(new Error(`expected ${count} requests to ${what}, got ${got}`))))

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

const deviceIdsOf = (user: TestUser) =>
  Effect.gen(function* () {
    const response = yield* call("GET", "/api/v1/me/mobile-devices", { token: user.token })
    expectStatus(response, 200)
    return Schema.decodeUnknownSync(Schema.Array(Schema.Struct({ id: Schema.String })))(response.json).map(
      (device) => device.id
    )
  })

const FcmSend = Schema.Struct({
  message: Schema.Struct({
    token: Schema.String,
    notification: Schema.Struct({ body: Schema.String }),
    data: Schema.Struct({
      id: Schema.String,
      type: Schema.String,
      subjectKind: Schema.String,
      subjectId: Schema.String,
      updatedAt: Schema.String
    }),
    android: Schema.Struct({
      priority: Schema.String,
      ttl: Schema.String,
      collapse_key: Schema.String,
      notification: Schema.Struct({ tag: Schema.String })
    })
  })
})

const ApnsPayload = Schema.Struct({
  aps: Schema.Struct({
    alert: Schema.Struct({ body: Schema.String }),
    sound: Schema.String,
    "thread-id": Schema.String
  }),
  id: Schema.String,
  type: Schema.String,
  subject: Schema.Struct({ kind: Schema.String, id: Schema.String }),
  updatedAt: Schema.String
})

const MobileJob = Schema.Struct({ id: Schema.String, runAt: Schema.Date })

/** The waiting `DeliverMobilePush` job of a device (its key is `mobile-push:<notification>:<device>`). */
const waitingPush = (deviceId: MobileDeviceId) =>
  eventually(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`
        SELECT id::text, run_at FROM graphile_worker.jobs
        WHERE task_identifier = 'DeliverMobilePush' AND split_part(key, ':', 3) = ${deviceId}`.pipe(Effect.orDie)
      const [job] = Schema.decodeUnknownSync(Schema.Array(MobileJob))(rows)
      return job === undefined ? yield* Effect.fail("no job yet") : job
    }),
    bounded
  )

const jobsFor = (deviceId: MobileDeviceId) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql`
      SELECT 1 FROM graphile_worker.jobs
      WHERE task_identifier = 'DeliverMobilePush' AND split_part(key, ':', 3) = ${deviceId}`.pipe(Effect.orDie)
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

layer(ServerWorkerAndPushServices, { excludeTestServices: true, timeout: "180 seconds" })("Mobile push", (it) => {
  it.effect("a notification reaches a phone through FCM and one through APNs, each signed in as its service asks", () =>
    Effect.gen(function* () {
      const services = yield* MobilePushServices
      const owner = yield* signUp("Olga")
      const ada = yield* signUp("Ada")
      const android = services.fcmToken()
      const iphone = services.apnsToken()
      yield* register(ada, "fcm", android)
      const iphoneId = yield* register(ada, "apns", iphone)

      const started = Date.now()
      yield* invite(owner, ada, yield* createGroup(owner, { name: "Hikers of the North", joinPolicy: "invite" }))
      const [sent] = yield* atLeast("FCM", () => services.fcmRequests(android), 1)
      const [pushed] = yield* atLeast("APNs", () => services.apnsRequests(iphone), 1)
      if (sent === undefined || pushed === undefined) return assert.fail("no push")
      const [invited] = yield* notificationsOf(ada)
      if (invited === undefined) return assert.fail("no notification")

      // FCM: the service account signed its assertion (RS256) for Google's token endpoint, and the
      // send carries the access token it got.
      const [exchange] = services.tokenRequests()
      assert.strictEqual(exchange?.status, 200)
      assert.strictEqual(exchange?.form.get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer")
      const assertion = verifyJwt(exchange?.form.get("assertion") ?? "", "RS256", services.account.publicKey)
      assert.strictEqual(assertion.header.kid, services.account.privateKeyId)
      assert.deepInclude(assertion.claims, {
        iss: services.account.clientEmail,
        scope: "https://www.googleapis.com/auth/firebase.messaging",
        aud: services.tokenUri
      })
      assert.strictEqual(sent.status, 200)
      assert.strictEqual(sent.headers.authorization, `Bearer ${services.issued()[0]}`)
      assert.strictEqual(sent.headers["content-type"], "application/json")
      assert.deepStrictEqual(Schema.decodeUnknownSync(FcmSend)(sent.body), {
        message: {
          token: android,
          notification: { body: "Olga invited you to join Hikers of the North" },
          data: {
            id: invited.id,
            type: "group.invited",
            subjectKind: invited.subject.kind,
            subjectId: invited.subject.id,
            updatedAt: invited.updatedAt
          },
          android: { priority: "normal", ttl: "86400s", collapse_key: invited.id, notification: { tag: invited.id } }
        }
      })

      // APNs: over HTTP/2, a provider token (ES256) of the team's key, the app as topic.
      const providerToken = /^bearer (.+)$/u.exec(String(pushed.headers.authorization))?.[1] ?? ""
      const jwt = verifyJwt(providerToken, "ES256", services.key.publicKey)
      assert.strictEqual(jwt.header.kid, services.key.keyId)
      assert.strictEqual(jwt.claims.iss, services.key.teamId)
      assert.strictEqual(pushed.status, 200)
      assert.strictEqual(pushed.headers[":method"], "POST")
      assert.strictEqual(pushed.headers["apns-topic"], appId)
      assert.strictEqual(pushed.headers["apns-push-type"], "alert")
      assert.strictEqual(pushed.headers["apns-priority"], "5")
      assert.strictEqual(pushed.headers["apns-collapse-id"], invited.id)
      const expiration = Number(pushed.headers["apns-expiration"]) * 1000
      assert.isAtLeast(expiration, started + 86_400_000 - 5_000)
      assert.isAtMost(expiration, Date.now() + 86_400_000)
      assert.deepStrictEqual(Schema.decodeUnknownSync(ApnsPayload)(pushed.body), {
        aps: {
          alert: { body: "Olga invited you to join Hikers of the North" },
          sound: "default",
          "thread-id": `${invited.subject.kind}:${invited.subject.id}`
        },
        id: invited.id,
        type: "group.invited",
        subject: invited.subject,
        updatedAt: invited.updatedAt
      })

      // The job run again pushes nothing twice; the next notification reuses both credentials. The
      // worker records the push after APNs answered: wait for the record, not only the request.
      const sql = yield* SqlClient.SqlClient
      yield* eventually(
        Effect.flatMap(
          sql`SELECT 1 AS recorded FROM mobile_push_deliveries WHERE notification_id = ${invited.id} AND device_id = ${iphoneId}`,
          (rows) => (rows.length === 1 ? Effect.void : Effect.fail("not recorded yet"))
        ),
        bounded
      ).pipe(Effect.orDie)
      const delivery = yield* MobilePushDelivery
      assert.strictEqual(yield* delivery.deliver(NotificationId.make(invited.id), iphoneId), "skipped")
      assert.lengthOf(services.apnsRequests(iphone), 1)
      yield* invite(owner, ada, yield* createGroup(owner, { name: "Second circle", joinPolicy: "invite" }))
      const [, second] = yield* atLeast("FCM", () => services.fcmRequests(android), 2)
      const [, secondPushed] = yield* atLeast("APNs", () => services.apnsRequests(iphone), 2)
      assert.strictEqual(second?.headers.authorization, sent.headers.authorization)
      assert.strictEqual(secondPushed?.headers.authorization, pushed.headers.authorization)
      assert.lengthOf(services.tokenRequests(), 1)
    })
  )

  it.effect("a phone whose token its push service refuses is removed; a busy service is tried again", () =>
    Effect.gen(function* () {
      const services = yield* MobilePushServices
      const owner = yield* signUp("Owen")
      const bea = yield* signUp("Bea")
      const unregistered = services.fcmToken()
      const invalid = services.fcmToken()
      const busy = services.fcmToken()
      const uninstalled = services.apnsToken()
      const badToken = services.apnsToken()
      const working = services.apnsToken()
      services.script(unregistered, [fcmUnregistered])
      services.script(invalid, [fcmInvalidToken])
      services.script(busy, [fcmUnavailable])
      services.script(uninstalled, [{ status: 410, body: { reason: "Unregistered", timestamp: Date.now() } }])
      services.script(badToken, [{ status: 400, body: { reason: "BadDeviceToken" } }])
      yield* register(bea, "fcm", unregistered)
      yield* register(bea, "fcm", invalid)
      const busyId = yield* register(bea, "fcm", busy)
      yield* register(bea, "apns", uninstalled)
      yield* register(bea, "apns", badToken)
      const workingId = yield* register(bea, "apns", working)

      yield* invite(owner, bea, yield* createGroup(owner, { name: "Chess club", joinPolicy: "invite" }))
      yield* atLeast("the working phone", () => services.apnsRequests(working), 1)
      const retried = yield* atLeast("the busy FCM", () => services.fcmRequests(busy), 2)
      assert.deepStrictEqual(
        retried.map((request) => request.status),
        [503, 200]
      )
      const remaining = yield* eventually(
        Effect.flatMap(deviceIdsOf(bea), (ids) =>
          ids.length === 2 ? Effect.succeed(ids) : Effect.fail(`still ${ids.length} devices`)
        ),
        bounded
      )
      assert.sameMembers([...remaining], [busyId, workingId])
    })
  )

  it.effect("quiet hours hold a phone's push until they end, as web push; push turned off sends none", () =>
    Effect.gen(function* () {
      const services = yield* MobilePushServices
      const owner = yield* signUp("Quinn")
      const dora = yield* signUp("Dora")
      const eli = yield* signUp("Eli")
      const doraPhone = services.apnsToken()
      const eliPhone = services.fcmToken()
      const doraId = yield* register(dora, "apns", doraPhone)
      const eliId = yield* register(eli, "fcm", eliPhone)
      yield* quietNow(dora)
      expectStatus(
        yield* call("PATCH", "/api/v1/me/notification-preferences", {
          token: eli.token,
          body: { types: [{ type: "group.invited", push: false }] }
        }),
        200
      )

      const before = Date.now()
      const groupId = yield* createGroup(owner, { name: "Early birds", joinPolicy: "invite" })
      yield* invite(owner, dora, groupId)
      yield* invite(owner, eli, groupId)
      const job = yield* waitingPush(doraId)
      const wait = job.runAt.getTime() - before
      assert.isAbove(wait, 58 * 60_000, `due at ${job.runAt.toISOString()}`)
      assert.isAtMost(wait, 61 * 60_000, `due at ${job.runAt.toISOString()}`)
      // In-app does not wait; once Eli's notification is in the app, no push was queued with it (the
      // jobs commit with the notification).
      assert.lengthOf(yield* notificationsOf(dora), 1)
      yield* eventually(
        Effect.flatMap(notificationsOf(eli), (listed) =>
          listed.length === 1 ? Effect.void : Effect.fail("Eli's notification is not there yet")
        ),
        bounded
      )
      assert.lengthOf(yield* jobsFor(eliId), 0)
      assert.lengthOf(services.apnsRequests(doraPhone), 0)

      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE id = ${job.id}::bigint`.pipe(
        Effect.orDie
      )
      const [pushed] = yield* atLeast("APNs", () => services.apnsRequests(doraPhone), 1)
      assert.strictEqual(Schema.decodeUnknownSync(ApnsPayload)(pushed?.body).type, "group.invited")
      assert.lengthOf(services.fcmRequests(eliPhone), 0)
    })
  )
})
