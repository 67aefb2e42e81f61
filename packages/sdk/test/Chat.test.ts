import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createGroup, signUp } from "../../server/test/support/Actors.ts"
import { call } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { makeClient, serverEnv } from "./support/TestClient.ts"

layer(TestServer.layer(serverEnv({ RATE_LIMIT_USER: "10000" })), { excludeTestServices: true })(
  "chat through the SDK",
  (it) => {
    it.effect("a private channel, an idempotent send, a thread, history pages and read state", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const colleague = yield* signUp("Colleague")
        const groupId = yield* createGroup(owner, { name: "SDK chat" })
        yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: colleague.token, body: {} })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))

        const channel = yield* Effect.promise(() =>
          client.chat.createChannel({
            path: { id: groupId },
            body: { name: "release-planning", kind: "private", topic: "Friday" }
          })
        )
        if (!channel.ok) return assert.fail(JSON.stringify(channel.error))
        const taken = yield* Effect.promise(() =>
          client.chat.createChannel({ path: { id: groupId }, body: { name: "Release-Planning" } })
        )
        assert.strictEqual(taken.error?._tag, "ChannelNameTaken")
        const added = yield* Effect.promise(() =>
          client.chat.addChannelMember({ path: { id: channel.data.id, userId: colleague.userId } })
        )
        assert.strictEqual(added.data?.role, "member")

        const clientMessageId = "sdk-1"
        const body = { body: `<@${colleague.userId}> check the changelog`, clientMessageId }
        const [first, retried] = yield* Effect.promise(() =>
          Promise.all([
            client.chat.sendMessage({ path: { id: channel.data.id }, body }),
            client.chat.sendMessage({ path: { id: channel.data.id }, body })
          ])
        )
        if (!first.ok || !retried.ok) return assert.fail("both sends answer")
        assert.strictEqual(first.data.id, retried.data.id)
        assert.deepStrictEqual(
          first.data.entities.map((entity) => entity.type),
          ["mention"]
        )

        yield* Effect.promise(() =>
          client.chat.sendMessage({
            path: { id: channel.data.id },
            body: { body: "Done", threadRootId: first.data.id }
          })
        )
        const thread = yield* Effect.promise(() => client.chat.listThreadReplies({ path: { id: first.data.id } }))
        assert.deepStrictEqual(
          thread.data?.items.map((reply) => reply.body),
          ["Done"]
        )

        for (const text of ["two", "three", "four"]) {
          yield* Effect.promise(() => client.chat.sendMessage({ path: { id: channel.data.id }, body: { body: text } }))
        }
        const newest = yield* Effect.promise(() =>
          client.chat.listMessages({ path: { id: channel.data.id }, query: { limit: 2 } })
        )
        assert.deepStrictEqual(
          newest.data?.items.map((message) => message.body),
          ["three", "four"]
        )
        const oldest = newest.data?.items[0]?.id
        if (oldest === undefined) return assert.fail("a page")
        const older = yield* Effect.promise(() =>
          client.chat.listMessages({ path: { id: channel.data.id }, query: { before: oldest, limit: 2 } })
        )
        assert.deepStrictEqual(
          older.data?.items.map((message) => message.body),
          [`<@${colleague.userId}> check the changelog`, "two"]
        )
        assert.strictEqual(older.data?.hasMoreBefore, false)

        // The colleague has four unread messages (replies are not counted) and one mention.
        yield* Effect.promise(() => client.session.set({ accessToken: colleague.token, refreshToken: "unused" }))
        const seen = yield* Effect.promise(() => client.chat.getChannel({ path: { id: channel.data.id } }))
        assert.deepInclude(seen.data?.viewer, { unreadCount: 4, mentionCount: 1 })
        const read = yield* Effect.promise(() =>
          client.chat.markChannelRead({ path: { id: channel.data.id }, body: {} })
        )
        assert.deepInclude(read.data, { unreadCount: 0, mentionCount: 0 })

        const direct = yield* Effect.promise(() => client.chat.openDirectChannel({ body: { userIds: [owner.userId] } }))
        assert.strictEqual(direct.data?.kind, "direct")
        const stranger = yield* signUp("Stranger")
        const refused = yield* Effect.promise(() =>
          client.chat.openDirectChannel({ body: { userIds: [stranger.userId] } })
        )
        assert.strictEqual(refused.error?._tag, "DirectMessageNotAllowed")
      })
    )

    it.effect("message search: ranked pages with the matches marked, a private channel kept out", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const colleague = yield* signUp("Colleague")
        const groupId = yield* createGroup(owner, { name: "SDK search" })
        yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: colleague.token, body: {} })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))
        const open = yield* Effect.promise(() =>
          client.chat.createChannel({ path: { id: groupId }, body: { name: "changelog" } })
        )
        const closed = yield* Effect.promise(() =>
          client.chat.createChannel({ path: { id: groupId }, body: { name: "board", kind: "private" } })
        )
        if (!open.ok || !closed.ok) return assert.fail("two channels")
        for (const body of ["Release notes for Friday", "release release release"]) {
          yield* Effect.promise(() => client.chat.sendMessage({ path: { id: open.data.id }, body: { body } }))
        }
        yield* Effect.promise(() =>
          client.chat.sendMessage({ path: { id: closed.data.id }, body: { body: "Release salaries" } })
        )

        yield* Effect.promise(() => client.session.set({ accessToken: colleague.token, refreshToken: "unused" }))
        const first = yield* Effect.promise(() => client.chat.searchMessages({ query: { q: "releas", limit: 1 } }))
        if (!first.ok) return assert.fail(JSON.stringify(first.error))
        assert.strictEqual(first.data.items[0]?.message.body, "release release release")
        const next = first.data.nextCursor
        if (next === null) return assert.fail("a second page")
        const second = yield* Effect.promise(() =>
          client.chat.searchMessages({ query: { q: "releas", limit: 1, cursor: next } })
        )
        assert.deepStrictEqual(second.data?.items[0]?.highlight, [
          { text: "Release", match: true },
          { text: " notes for Friday", match: false }
        ])
        assert.strictEqual(second.data?.nextCursor, null)
        const hidden = yield* Effect.promise(() =>
          client.chat.searchMessages({ query: { q: "release", channelId: closed.data.id } })
        )
        assert.strictEqual(hidden.error?._tag, "ChannelNotFound")
      })
    )
  }
)
