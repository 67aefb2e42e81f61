import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { SocialNotifier } from "@moim/server/Social/SocialNotifier"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { befriend, createGroup, follow, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { openSse } from "../../server/test/support/SseClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

interface Listed {
  readonly type: string
  readonly text: string
  readonly subject: { readonly kind: string; readonly id: string }
  readonly data: Record<string, unknown>
}

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const listOf = (user: TestUser) =>
  Effect.map(call("GET", "/api/v1/me/notifications", { token: user.token }), (response) => {
    assert.strictEqual(response.status, 200, response.text)
    return response.body.items as ReadonlyArray<Listed>
  })

const until = (user: TestUser, done: (listed: ReadonlyArray<Listed>) => boolean, what: string) =>
  eventually(
    Effect.flatMap(listOf(user), (listed) => (done(listed) ? Effect.succeed(listed) : Effect.fail(listed))),
    { interval: "50 millis", timeout: "15 seconds" }
  ).pipe(
    Effect.catch((last) => Effect.sync(() => assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(last)}`)))
  )

/** Waits until the worker has run every job of `task`. */
const drained = (task: string) =>
  eventually(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = ${task}`
      const { count } = Schema.decodeUnknownSync(Schema.Struct({ count: Schema.Int }))(rows[0])
      return count === 0 ? yield* Effect.void : yield* Effect.fail(`${count} ${task} jobs left`)
    }),
    { interval: "50 millis", timeout: "15 seconds" }
  ).pipe(Effect.orDie)

const types = (listed: ReadonlyArray<Listed>) => listed.map((item) => item.type)

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Social notifications", (it) => {
  it.effect("follows, follow requests, friend requests and their answers are told to the other", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const bo = yield* signUp("Bo")
      const cy = yield* signUp("Cy")
      yield* follow(bo, ada)
      const followed = yield* until(ada, (listed) => listed.length === 1, "Ada's follower")
      assert.deepInclude(followed[0], { type: "social.followed", text: "Bo followed you" })
      assert.deepStrictEqual(followed[0]?.data, { userId: bo.userId })
      assert.deepStrictEqual(followed[0]?.subject, { kind: "user", id: bo.userId })

      expectStatus(
        yield* call("PATCH", "/api/v1/me/settings", { token: cy.token, body: { privateAccount: true } }),
        200
      )
      expectStatus(yield* call("PUT", `/api/v1/users/${cy.userId}/follow`, { token: ada.token }), 200)
      yield* until(cy, (listed) => types(listed).includes("social.followRequested"), "Cy's follow request")
      expectStatus(yield* call("POST", `/api/v1/me/follow-requests/${ada.userId}/approve`, { token: cy.token }), 204)
      const approved = yield* until(
        ada,
        (listed) => types(listed).includes("social.followApproved"),
        "Ada's approved request"
      )
      assert.strictEqual(approved[0]?.text, "Cy approved your follow request")

      expectStatus(yield* call("PUT", `/api/v1/users/${bo.userId}/friend-request`, { token: cy.token }), 200)
      const asked = yield* until(bo, (listed) => types(listed).includes("social.friendRequested"), "Bo's request")
      assert.strictEqual(asked[0]?.text, "Cy sent you a friend request")
      expectStatus(yield* call("POST", `/api/v1/me/friend-requests/${cy.userId}/accept`, { token: bo.token }), 204)
      yield* until(cy, (listed) => types(listed).includes("social.friendAccepted"), "Cy's accepted request")

      // The worker tells only what still holds when it runs: a follow undone by then tells nobody.
      const dee = yield* signUp("Dee")
      const notify = (eventId: string) =>
        SocialNotifier.use((notifier) =>
          notifier.notify({
            eventId,
            kind: "social.followed",
            actorId: UserId.make(dee.userId),
            recipientId: UserId.make(bo.userId)
          })
        )
      yield* notify(randomUUID())
      assert.isFalse((yield* listOf(bo)).some((item) => item.data.userId === dee.userId))
      yield* follow(dee, bo)
      yield* notify(randomUUID())
      assert.isTrue((yield* listOf(bo)).some((item) => item.data.userId === dee.userId))
    })
  )

  it.effect("nobody is told of, nor streamed, what someone they blocked (or who blocked them) does", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const blocker = yield* signUp("Blocker")
      const blocked = yield* signUp("Pest")
      const groupId = yield* createGroup(owner, { name: "Shared board" })
      for (const user of [blocker, blocked]) {
        expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
      }
      yield* befriend(blocker, owner)
      const postId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, { token: blocker.token, body: { body: "My post" } }),
          201
        ).body.id
      )
      // Before the block: the pest's follow reaches the blocker.
      yield* follow(blocked, blocker)
      yield* until(
        blocker,
        (listed) => types(listed).includes("social.followed") && types(listed).includes("social.friendAccepted"),
        "the follow before the block, and the owner's acceptance"
      )
      expectStatus(yield* call("PUT", `/api/v1/users/${blocked.userId}/block`, { token: blocker.token }), 204)
      // That notification is gone from the list with the person.
      assert.deepStrictEqual(types(yield* listOf(blocker)), ["social.friendAccepted"])

      const stream = yield* openSse(`/api/v1/stream?topics=group:${groupId}&topics=post:${postId}`, {
        token: blocker.token
      })
      assert.strictEqual(stream.status, 200)
      // The pest cannot see the blocker's post any more, so cannot comment on it; a post of theirs
      // mentioning the blocker, in the group, reaches neither the list nor the stream.
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: blocked.token, body: { body: "Hey" } }),
        404,
        "PostNotFound"
      )
      expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/posts`, {
          token: blocked.token,
          body: { body: `Look <@${blocker.userId}>` }
        }),
        201
      )
      // The owner comments on the blocker's post and posts in the group: those arrive, after the pest's, in order.
      const commentId = String(
        expectStatus(
          yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: owner.token, body: { body: "Nice" } }),
          201
        ).body.id
      )
      const ownerPost = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, { token: owner.token, body: { body: "Owner's" } }),
          201
        ).body.id
      )
      /** The next event of `type`, past others (notifications, counts) in between. */
      const nextOf = (type: string) =>
        Effect.gen(function* () {
          for (let seen = 0; seen < 20; seen++) {
            const event = yield* stream.next(type)
            if (event.data.type === type) return event
          }
          return yield* Effect.die(new Error(`no ${type} in 20 events`))
        })
      const comment = yield* nextOf("comment.created")
      assert.deepStrictEqual(comment.data.data, { postId, commentId, parentId: null, authorId: owner.userId })
      const posted = yield* nextOf("post.created")
      assert.deepStrictEqual(posted.data.data, { groupId, postId: ownerPost }, "the pest's post was not streamed")
      yield* drained("NotifyPostEvent")
      const listed = yield* until(blocker, (items) => types(items).includes("post.commented"), "the owner's comment")
      assert.isFalse(types(listed).includes("post.mentioned"), "the pest's mention is not told")
    })
  )
})
