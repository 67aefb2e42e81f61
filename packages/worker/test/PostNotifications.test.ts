import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, siteAdmin, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { openSse, type SseConnection } from "../../server/test/support/SseClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

interface Listed {
  readonly type: string
  readonly text: string
  readonly actorCount: number
  readonly subject: { readonly kind: string; readonly id: string }
  readonly data: Record<string, unknown>
}

const env = TestServer.testEnv({
  TRUST_PROXY: "true",
  RATE_LIMIT_USER: "100000",
  RATE_LIMIT_AUTH: "100000",
  REPORT_HIDE_THRESHOLD: "2"
})

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

/** Waits (bounded) until the user's notifications satisfy `done`, as the worker delivers them. */
const until = (user: TestUser, done: (listed: ReadonlyArray<Listed>) => boolean, what: string) =>
  eventually(
    Effect.flatMap(listOf(user), (listed) => (done(listed) ? Effect.succeed(listed) : Effect.fail(listed))),
    { interval: "50 millis", timeout: "15 seconds" }
  ).pipe(
    Effect.catch((last) => Effect.sync(() => assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(last)}`)))
  )

const ofType = (listed: ReadonlyArray<Listed>, type: string) => listed.filter((item) => item.type === type)

/** Waits until the worker has run every job of `task`: by then it has told (or not) whoever it would. */
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

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

const post = (author: TestUser, groupId: string, body: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/posts`, { token: author.token, body: { body } }), (response) =>
    String(expectStatus(response, 201).body.id)
  )

const comment = (user: TestUser, postId: string, body: string, parentId?: string) =>
  Effect.map(
    call("POST", `/api/v1/posts/${postId}/comments`, {
      token: user.token,
      body: parentId === undefined ? { body } : { body, parentId }
    }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const react = (user: TestUser, path: string, emoji: string) =>
  Effect.map(call("PUT", `/api/v1/${path}/reaction`, { token: user.token, body: { emoji } }), (response) =>
    expectStatus(response, 200)
  )

const nextOf = (connection: SseConnection, type: string) =>
  Effect.map(connection.next(type), (event) => {
    assert.strictEqual(event.data.type, type, JSON.stringify(event.data))
    return event.data
  })

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Post notifications", (it) => {
  it.effect("comments, replies, mentions and reactions reach those concerned, once each, collapsed", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olga")
      const author = yield* signUp("Arno")
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const groupId = yield* createGroup(owner, { name: "Weekend trips" })
      for (const user of [author, alice, bob]) yield* join(user, groupId)
      const postId = yield* post(author, groupId, "Trip to the lakes")

      const fromAlice = yield* comment(alice, postId, `Count me in, and <@${bob.userId}> too`)
      const mentioned = yield* until(bob, (listed) => listed.length === 1, "Bob's mention")
      assert.deepInclude(mentioned[0], {
        type: "post.mentioned",
        text: "Alice mentioned you in a comment: “Count me in, and @Bob too”",
        subject: { kind: "post", id: postId }
      })
      assert.deepStrictEqual(mentioned[0]?.data, {
        postId,
        groupId,
        commentId: fromAlice,
        excerpt: "Count me in, and @Bob too"
      })
      yield* until(author, (listed) => ofType(listed, "post.commented").length === 1, "Arno's first comment")

      // Bob answers Alice: she hears of the reply, Arno of a second comment, collapsed with the first.
      yield* comment(bob, postId, "Great", fromAlice)
      const replied = yield* until(alice, (listed) => listed.length === 1, "Alice's reply")
      assert.deepInclude(replied[0], {
        type: "comment.replied",
        text: "Bob replied to your comment “Count me in, and @Bob too”"
      })
      const commented = yield* until(
        author,
        (listed) => ofType(listed, "post.commented")[0]?.actorCount === 2,
        "two collapsed comments"
      )
      assert.strictEqual(
        ofType(commented, "post.commented")[0]?.text,
        "Bob and Alice commented on your post “Trip to the lakes”"
      )

      // Reactions: collapsed on the post; a changed reaction is not news; nobody hears of their own.
      yield* react(alice, `posts/${postId}`, "like")
      yield* react(bob, `posts/${postId}`, "love")
      yield* react(bob, `posts/${postId}`, "wow")
      yield* react(author, `posts/${postId}`, "like")
      yield* react(author, `comments/${fromAlice}`, "laugh")
      yield* drained("NotifyPostEvent")
      const reacted = ofType(yield* listOf(author), "post.reacted")
      // The worker runs the two reactions' jobs concurrently: whoever's lands last is named first.
      assert.deepStrictEqual(
        reacted.map((item) => item.actorCount),
        [2]
      )
      assert.include(
        [
          "Bob and Alice reacted to your post “Trip to the lakes”",
          "Alice and Bob reacted to your post “Trip to the lakes”"
        ],
        reacted[0]?.text
      )
      assert.deepStrictEqual(
        ofType(yield* listOf(alice), "comment.reacted").map((item) => item.text),
        ["Arno reacted to your comment “Count me in, and @Bob too”"]
      )
      // Bob was told of the mention only: a comment's mention and his own reply are not news to him.
      assert.deepStrictEqual(
        (yield* listOf(bob)).map((item) => item.type),
        ["post.mentioned"]
      )
    })
  )

  it.effect("new posts reach members by their setting; mentions too, unless the setting is none", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const all = yield* signUp("All")
      const mentions = yield* signUp("Mentions")
      const none = yield* signUp("None")
      const outsider = yield* signUp("Outsider")
      const groupId = yield* createGroup(owner, { name: "Book club", visibility: "private", joinPolicy: "invite" })
      for (const member of [all, mentions, none]) {
        const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
          token: owner.token,
          body: { userId: member.userId }
        })
        const invitationId = String(expectStatus(invited, 201).body.id)
        expectStatus(yield* call("POST", `/api/v1/invitations/${invitationId}/accept`, { token: member.token }), 200)
      }
      for (const [member, level] of [
        [all, "all"],
        [none, "none"]
      ] as const) {
        const set = yield* call("PUT", `/api/v1/groups/${groupId}/post-notifications`, {
          token: member.token,
          body: { level }
        })
        assert.strictEqual(
          (expectStatus(set, 200).body.viewer as { postNotifications: string }).postNotifications,
          level
        )
      }
      expectStatus(
        yield* call("PUT", `/api/v1/groups/${groupId}/post-notifications`, {
          token: outsider.token,
          body: { level: "all" }
        }),
        404,
        "GroupNotFound"
      )
      yield* drained("NotifyGroupEvent")
      const before = new Map<TestUser, number>()
      for (const user of [all, mentions, none, outsider]) before.set(user, (yield* listOf(user)).length)

      const body = `Dune. <@${mentions.userId}> <@${none.userId}> <@${outsider.userId}>, thoughts?`
      const postId = yield* post(owner, groupId, body)
      yield* drained("NotifyPostEvent")
      const fresh = (user: TestUser) =>
        Effect.map(listOf(user), (listed) => listed.slice(0, listed.length - (before.get(user) ?? 0)))
      assert.deepStrictEqual(
        (yield* fresh(all)).map((item) => [item.type, item.text]),
        [["post.created", "Owner posted in Book club: “Dune. @Mentions @None @Outsider, thoughts?”"]]
      )
      assert.deepStrictEqual(
        (yield* fresh(mentions)).map((item) => [item.type, item.subject.id]),
        [["post.mentioned", postId]]
      )
      // `none` hears nothing of the group's posts; an outsider mentioned in a private group is not told.
      assert.deepStrictEqual(yield* fresh(none), [])
      assert.deepStrictEqual(yield* fresh(outsider), [])
    })
  )

  it.effect("what a reader may no longer see disappears from their notifications", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const author = yield* signUp("Author")
      const reader = yield* signUp("Reader")
      const other = yield* signUp("Other")
      const groupId = yield* createGroup(owner, { name: "Garden club" })
      for (const user of [author, reader, other]) yield* join(user, groupId)
      const postId = yield* post(author, groupId, `Seeds for <@${reader.userId}>`)
      yield* until(reader, (listed) => ofType(listed, "post.mentioned").length === 1, "the mention")

      // Two reports hide the post: the mention is gone for the reader; deleting makes it gone for good.
      for (const user of [reader, other]) {
        expectStatus(
          yield* call("POST", "/api/v1/reports", {
            token: user.token,
            body: { subject: { kind: "post", id: postId }, reason: "spam" }
          }),
          201
        )
      }
      assert.deepStrictEqual(ofType(yield* listOf(reader), "post.mentioned"), [])
      const counts = yield* call("GET", "/api/v1/me/notifications/counts", { token: reader.token })
      assert.strictEqual(counts.body.unread, 0)

      // The moderator removes it; both reporters are told, on a subject only they see.
      const [queued] = (yield* call("GET", `/api/v1/groups/${groupId}/reports`, { token: owner.token })).body
        .items as ReadonlyArray<{ id: string }>
      expectStatus(
        yield* call("POST", `/api/v1/reports/${queued?.id}/resolve`, {
          token: owner.token,
          body: { action: "remove" }
        }),
        200
      )
      for (const user of [reader, other]) {
        const told = yield* until(user, (listed) => ofType(listed, "report.resolved").length === 1, "the resolution")
        const [resolved] = ofType(told, "report.resolved")
        assert.strictEqual(resolved?.text, "Thanks for your report: the post you reported was removed")
        assert.strictEqual(resolved?.subject.kind, "report")
      }
      const admin = yield* siteAdmin
      assert.deepStrictEqual(ofType(yield* listOf(admin), "report.resolved"), [])
    })
  )

  it.effect("new posts and comments arrive on the group's and the post's topics, for those who may see them", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Member")
      const outsider = yield* signUp("Outsider")
      const groupId = yield* createGroup(owner, { name: "Live board", visibility: "private", joinPolicy: "invite" })
      const invited = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner.token,
        body: { userId: member.userId }
      })
      const invitationId = String(expectStatus(invited, 201).body.id)
      expectStatus(yield* call("POST", `/api/v1/invitations/${invitationId}/accept`, { token: member.token }), 200)
      const first = yield* post(owner, groupId, "Pinned rules")

      const stream = yield* openSse(`/api/v1/stream?topics=group:${groupId}&topics=post:${first}`, {
        token: member.token
      })
      assert.strictEqual(stream.status, 200)
      const refused = yield* openSse(`/api/v1/stream?topics=post:${first}`, { token: outsider.token })
      assert.strictEqual(refused.status, 404)

      const second = yield* post(owner, groupId, "Second post")
      // The join and the first post committed before the stream opened, but the worker numbers the
      // outbox on its own time, so on a loaded machine their events may still arrive: skip them.
      const fresh = yield* Effect.gen(function* () {
        for (let seen = 0; seen < 5; seen++) {
          const event = yield* stream.next("the second post")
          const data = event.data
          const earlier =
            data.type === "group.memberJoined" || (data.type === "post.created" && data.data.postId === first)
          if (!earlier) return data
        }
        return yield* Effect.die(new Error("only earlier events arrived"))
      })
      assert.strictEqual(fresh.type, "post.created", JSON.stringify(fresh))
      assert.deepStrictEqual(fresh.data, { groupId, postId: second })
      const reply = yield* comment(owner, first, "Read them")
      const commented = yield* nextOf(stream, "comment.created")
      assert.deepStrictEqual(commented.data, {
        postId: first,
        commentId: reply,
        parentId: null,
        authorId: owner.userId
      })
      assert.strictEqual(commented.topic, `post:${first}`)

      // Hidden after reports, the post's next comment is not shown: the stream leaves its topic.
      const other = yield* signUp("Other")
      const again = yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner.token,
        body: { userId: other.userId }
      })
      const otherInvitation = String(expectStatus(again, 201).body.id)
      expectStatus(yield* call("POST", `/api/v1/invitations/${otherInvitation}/accept`, { token: other.token }), 200)
      yield* nextOf(stream, "group.memberJoined")
      for (const reporter of [member, other]) {
        expectStatus(
          yield* call("POST", "/api/v1/reports", {
            token: reporter.token,
            body: { subject: { kind: "post", id: first }, reason: "spam" }
          }),
          201
        )
      }
      yield* comment(owner, first, "Only moderators see this now")
      const left = yield* nextOf(stream, "topic.left")
      assert.deepStrictEqual([left.topic, left.data], [`post:${first}`, { reason: "access" }])
    })
  )
})
