import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
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

const ok = (response: JsonResponse) => {
  assert.isTrue(response.status >= 200 && response.status < 300, `${response.status} ${response.text}`)
  return response
}

/** The user's chat notifications, newest first. */
const chatOf = (user: TestUser) =>
  Effect.map(call("GET", "/api/v1/me/notifications", { token: user.token }), (response) =>
    (ok(response).body.items as ReadonlyArray<Listed>).filter((item) => item.type.startsWith("chat."))
  )

/** Waits (bounded) until the user's chat notifications satisfy `done`, as the worker delivers them. */
const until = (user: TestUser, done: (listed: ReadonlyArray<Listed>) => boolean, what: string) =>
  eventually(
    Effect.flatMap(chatOf(user), (listed) => (done(listed) ? Effect.succeed(listed) : Effect.fail(listed))),
    { interval: "50 millis", timeout: "15 seconds" }
  ).pipe(
    Effect.catch((last) => Effect.sync(() => assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(last)}`)))
  )

/** Waits until the worker has run every `NotifyChatMessage` job: by then it has told whoever it would. */
const drained = eventually(
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows =
      yield* sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = 'NotifyChatMessage'`
    const { count } = Schema.decodeUnknownSync(Schema.Struct({ count: Schema.Int }))(rows[0])
    return count === 0 ? yield* Effect.void : yield* Effect.fail(`${count} jobs left`)
  }),
  { interval: "50 millis", timeout: "15 seconds" }
).pipe(Effect.orDie)

const types = (listed: ReadonlyArray<Listed>) => listed.map((item) => item.type)

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), ok)

const general = (user: TestUser, groupId: string) =>
  Effect.map(call("GET", `/api/v1/groups/${groupId}/channels`, { token: user.token }), (response) => {
    const items = ok(response).body.items as ReadonlyArray<{ readonly id: string; readonly name: string }>
    const found = items.find((channel) => channel.name === "general")
    assert.isDefined(found)
    return found?.id ?? ""
  })

const send = (user: TestUser, channelId: string, body: string, threadRootId?: string) =>
  Effect.map(
    call("POST", `/api/v1/channels/${channelId}/messages`, {
      token: user.token,
      body: threadRootId === undefined ? { body } : { body, threadRootId }
    }),
    (response) => String(ok(response).body.id)
  )

const ChannelShape = Schema.Struct({
  id: Schema.String,
  viewer: Schema.Struct({ notify: Schema.NullOr(Schema.String) })
})

/** The channel a response answers. */
const channelOf = (response: JsonResponse) => Schema.decodeUnknownSync(ChannelShape)(ok(response).body)

const setLevel = (user: TestUser, channelId: string, level: string | null) =>
  Effect.map(
    call("PUT", `/api/v1/channels/${channelId}/notifications`, { token: user.token, body: { level } }),
    (response) => channelOf(response).viewer.notify
  )

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Chat notifications", (it) => {
  it.effect("direct messages, mentions, @channel and each person's level", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olga")
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const cy = yield* signUp("Cy")
      const groupId = yield* createGroup(owner, { name: "Night shift" })
      for (const user of [alice, bob, cy]) yield* join(user, groupId)
      const channelId = yield* general(alice, groupId)

      // A direct message reaches the other person, not its author.
      const direct = channelOf(
        yield* call("POST", "/api/v1/me/direct-channels", { token: alice.token, body: { userIds: [bob.userId] } })
      )
      assert.strictEqual(direct.viewer.notify, "all")
      const hello = yield* send(alice, direct.id, "Hi Bob, are you around?")
      const [dm] = yield* until(bob, (listed) => listed.length === 1, "Bob's direct message")
      assert.deepInclude(dm, {
        type: "chat.direct_message",
        text: "Alice sent you a message: “Hi Bob, are you around?”",
        subject: { kind: "chatMessage", id: hello }
      })
      assert.deepStrictEqual(dm?.data, {
        messageId: hello,
        channelId: direct.id,
        threadRootId: null,
        excerpt: "Hi Bob, are you around?"
      })

      // `nothing` mutes the conversation.
      assert.strictEqual(yield* setLevel(bob, direct.id, "nothing"), "nothing")
      yield* send(alice, direct.id, "Never mind")
      yield* drained
      assert.strictEqual((yield* chatOf(bob)).length, 1)

      // A mention reaches the one mentioned; a plain message nobody at the default `mentions`.
      const mention = yield* send(alice, channelId, `<@${bob.userId}> can you take the late shift?`)
      const mentioned = yield* until(bob, (listed) => listed.length === 2, "Bob's mention")
      assert.deepInclude(mentioned[0], {
        type: "chat.mention",
        text: "Alice mentioned you in #general: “@Bob can you take the late shift?”",
        subject: { kind: "chatMessage", id: mention }
      })
      assert.deepInclude(mentioned[0]?.data, { channelId, groupId, channelName: "general", threadRootId: null })

      // `all` hears of every message of the channel; `mentions` does not.
      assert.strictEqual(yield* setLevel(cy, channelId, "all"), "all")
      yield* send(alice, channelId, "Coffee is ready")
      const plain = yield* until(cy, (listed) => listed.length === 1, "Cy's message")
      assert.deepInclude(plain[0], { type: "chat.message", text: "Alice in #general: “Coffee is ready”" })

      // `@channel` reaches everyone in it but those at `nothing`; a mention, not a message, for Cy.
      assert.strictEqual(yield* setLevel(owner, channelId, "nothing"), "nothing")
      yield* send(alice, channelId, "@channel meeting at nine")
      yield* until(bob, (listed) => listed.length === 3, "Bob's @channel")
      yield* until(cy, (listed) => listed.length === 2, "Cy's @channel")
      yield* drained
      assert.deepStrictEqual(types(yield* chatOf(bob)), ["chat.mention", "chat.mention", "chat.direct_message"])
      assert.deepStrictEqual(types(yield* chatOf(cy)), ["chat.mention", "chat.message"])
      assert.deepStrictEqual(yield* chatOf(owner), [])
      // The author, never.
      assert.deepStrictEqual(yield* chatOf(alice), [])

      // Back to the default: the owner hears of mentions again.
      assert.strictEqual(yield* setLevel(owner, channelId, null), "mentions")
      yield* send(alice, channelId, `<@${owner.userId}> thanks`)
      yield* until(owner, (listed) => listed.length === 1, "Olga's mention")
    })
  )

  it.effect("thread replies reach followers; a channel left hides what it told", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Petra")
      const alice = yield* signUp("Ana")
      const bob = yield* signUp("Ben")
      const cy = yield* signUp("Cleo")
      const groupId = yield* createGroup(owner, { name: "Release crew" })
      for (const user of [alice, bob, cy]) yield* join(user, groupId)
      const channel = channelOf(
        yield* call("POST", `/api/v1/groups/${groupId}/channels`, {
          token: alice.token,
          body: { name: "core", kind: "private" }
        })
      )
      assert.strictEqual(channel.viewer.notify, "mentions")
      for (const user of [bob, cy]) {
        ok(yield* call("PUT", `/api/v1/channels/${channel.id}/members/${user.userId}`, { token: alice.token }))
      }

      // Ana started the thread and Cleo follows it: Ben's reply reaches them, not him.
      const root = yield* send(alice, channel.id, "Release plan for Friday")
      ok(yield* call("PUT", `/api/v1/messages/${root}/follow`, { token: cy.token }))
      const reply = yield* send(bob, channel.id, "Changelog is done", root)
      for (const follower of [alice, cy]) {
        const [told] = yield* until(follower, (listed) => listed.length === 1, "a thread reply")
        assert.deepInclude(told, {
          type: "chat.thread_reply",
          text: "Ben replied in a thread in #core: “Changelog is done”",
          subject: { kind: "chatMessage", id: reply }
        })
        assert.strictEqual(told?.data.threadRootId, root)
      }

      // A mention in a reply outranks the thread reply; `nothing` silences followed threads too.
      assert.strictEqual(yield* setLevel(alice, channel.id, "nothing"), "nothing")
      yield* send(bob, channel.id, `<@${cy.userId}> can you tag it?`, root)
      const [tagged] = yield* until(cy, (listed) => listed.length === 2, "Cleo's mention in the thread")
      assert.strictEqual(tagged?.type, "chat.mention")
      yield* drained
      assert.strictEqual((yield* chatOf(alice)).length, 1)
      assert.deepStrictEqual(yield* chatOf(bob), [])

      // Ben, mentioned, then removed from the private channel: what it told him is hidden.
      yield* send(alice, channel.id, `<@${bob.userId}> please review`)
      yield* until(bob, (listed) => listed.length === 1, "Ben's mention")
      ok(yield* call("DELETE", `/api/v1/channels/${channel.id}/members/${bob.userId}`, { token: alice.token }))
      assert.deepStrictEqual(yield* chatOf(bob), [])
      const counts = ok(yield* call("GET", "/api/v1/me/notifications/counts", { token: bob.token })).body
      assert.strictEqual(counts.unread, 0)
    })
  )
})
