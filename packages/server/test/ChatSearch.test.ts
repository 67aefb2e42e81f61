import { assert, layer } from "@effect/vitest"
import { ChannelId } from "@moim/domain/Chat/Chat"
import { Effect, Option, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface Fragment {
  readonly text: string
  readonly match: boolean
}

interface Hit {
  readonly message: {
    readonly id: string
    readonly body: string
    readonly channelId: string
    readonly createdAt: string
  }
  readonly highlight: ReadonlyArray<Fragment>
}

interface SearchPage {
  readonly items: ReadonlyArray<Hit>
  readonly nextCursor: string | null
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const searchResponse = (user: TestUser, query: Record<string, string>) =>
  call("GET", `/api/v1/me/chat/search?${new URLSearchParams(query).toString()}`, { token: user.token })

const search = (user: TestUser, query: Record<string, string>) =>
  Effect.map(searchResponse(user, query), (response) => expectStatus(response, 200).json as SearchPage)

/** The ids of a search's first page (up to 100 results). */
const found = (user: TestUser, query: Record<string, string>) =>
  Effect.map(search(user, { limit: "100", ...query }), (page) => page.items.map((hit) => hit.message.id))

const sent = (user: TestUser, channelId: string, body: string, extra: Record<string, unknown> = {}) =>
  Effect.map(
    call("POST", `/api/v1/channels/${channelId}/messages`, { token: user.token, body: { body, ...extra } }),
    (response) => expectStatus(response, 201).json as Hit["message"]
  )

const channelId = (response: JsonResponse, status = 200) => String(expectStatus(response, status).body.id)

/**
 * A public group (owner Olga; Anna and Ben members) with `general`, Anna's public `trips` (Ben not in
 * it) and private `secret`, Anna and Ben's conversation, and messages about kayaks in each, in this
 * order: one deleted, one a thread reply, and one not about kayaks.
 */
const world = Effect.gen(function* () {
  const olga = yield* signUp("Olga")
  const anna = yield* signUp("Anna")
  const ben = yield* signUp("Ben")
  const groupId = yield* createGroup(olga, { name: "Paddlers" })
  for (const user of [anna, ben]) {
    expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), 200)
  }
  const channels = expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/channels`, { token: anna.token }), 200)
    .body.items as ReadonlyArray<{ readonly id: string; readonly isDefault: boolean }>
  const general = channels.find((channel) => channel.isDefault)?.id
  if (general === undefined) return assert.fail("the group has its general channel")
  const trips = channelId(
    yield* call("POST", `/api/v1/groups/${groupId}/channels`, { token: anna.token, body: { name: "trips" } }),
    201
  )
  const secret = channelId(
    yield* call("POST", `/api/v1/groups/${groupId}/channels`, {
      token: anna.token,
      body: { name: "secret", kind: "private" }
    }),
    201
  )
  const direct = channelId(
    yield* call("POST", "/api/v1/me/direct-channels", { token: anna.token, body: { userIds: [ben.userId] } })
  )
  const saturday = yield* sent(anna, general, "Kayak trip on Saturday")
  const thrice = yield* sent(ben, general, "kayak kayak kayak, everyone!")
  yield* sent(anna, general, "Nothing about boats here")
  const rental = yield* sent(anna, trips, "Kayak rental prices")
  const hidden = yield* sent(anna, secret, "The secret kayak plan")
  const askDirect = yield* sent(ben, direct, "kayak?")
  const deleted = yield* sent(anna, general, "A kayak message I take back")
  expectStatus(yield* call("DELETE", `/api/v1/messages/${deleted.id}`, { token: anna.token }), 204)
  const reply = yield* sent(ben, general, "Count me in for the kayaks", { threadRootId: saturday.id })
  return {
    olga,
    anna,
    ben,
    groupId,
    general,
    trips,
    secret,
    direct,
    messages: { saturday, thrice, rental, hidden, askDirect, deleted, reply }
  }
})

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Chat search", (it) => {
  it.effect("finds what the searcher may read, best match first then newest, with the matches marked", () =>
    Effect.gen(function* () {
      const w = yield* world
      const m = w.messages
      // Three kayaks rank first; one each ties, newest first. Not the private channel Ben is not in,
      // nor the deleted message; the public channel he has not joined, the conversation and the
      // thread reply are his to read.
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak" }), [
        m.thrice.id,
        m.reply.id,
        m.askDirect.id,
        m.rental.id,
        m.saturday.id
      ])
      // Anna is in the private channel.
      assert.deepStrictEqual(yield* found(w.anna, { q: "kay" }), [
        m.thrice.id,
        m.reply.id,
        m.askDirect.id,
        m.hidden.id,
        m.rental.id,
        m.saturday.id
      ])
      // Every word must match the start of a word.
      assert.deepStrictEqual(yield* found(w.ben, { q: "KAYAK sat" }), [m.saturday.id])
      assert.deepStrictEqual(yield* found(w.ben, { q: "canoe" }), [])
      assert.deepStrictEqual(yield* found(w.ben, { q: "!!!" }), [])

      const [first] = (yield* search(w.ben, { q: "kayak sat" })).items
      assert.deepStrictEqual(first?.highlight, [
        { text: "Kayak", match: true },
        { text: " trip on ", match: false },
        { text: "Saturday", match: true }
      ])
      assert.strictEqual(first?.message.body, "Kayak trip on Saturday")
      const [many] = (yield* search(w.ben, { q: "kayak", channelId: w.general })).items
      assert.deepStrictEqual(many?.highlight, [
        { text: "kayak", match: true },
        { text: " ", match: false },
        { text: "kayak", match: true },
        { text: " ", match: false },
        { text: "kayak", match: true },
        { text: ", everyone!", match: false }
      ])
    })
  )

  it.effect("the highlight is the text as written, whatever characters it holds", () =>
    Effect.gen(function* () {
      const w = yield* world
      const body = 'a <b>kayak</b> &amp; "kayaks"\u0001x\u0002\u0003\u0004 <mark>not</mark>\n\tend kayak'
      const message = yield* sent(w.anna, w.general, body)
      const [hit] = (yield* search(w.ben, { q: "kayak", authorId: w.anna.userId, channelId: w.general })).items
      assert.strictEqual(hit?.message.id, message.id)
      assert.strictEqual(hit?.highlight.map((fragment) => fragment.text).join(""), body)
      assert.deepStrictEqual(
        hit?.highlight.filter((fragment) => fragment.match).map((fragment) => fragment.text),
        ["kayak", "kayaks", "kayak"]
      )
    })
  )

  it.effect("filters by channel, group, author, time and files", () =>
    Effect.gen(function* () {
      const w = yield* world
      const m = w.messages
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", channelId: w.general }), [
        m.thrice.id,
        m.reply.id,
        m.saturday.id
      ])
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", channelId: w.direct }), [m.askDirect.id])
      // The group's channels, not the conversation.
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", groupId: w.groupId }), [
        m.thrice.id,
        m.reply.id,
        m.rental.id,
        m.saturday.id
      ])
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", groupId: w.groupId, channelId: w.direct }), [])
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", authorId: w.anna.userId }), [m.rental.id, m.saturday.id])

      // Time: at or after `from`, before `to`.
      const all = (yield* search(w.ben, { q: "kayak", limit: "100" })).items
      const at = m.rental.createdAt
      assert.deepStrictEqual(
        yield* found(w.ben, { q: "kayak", from: at }),
        all.filter((hit) => hit.message.createdAt >= at).map((hit) => hit.message.id)
      )
      assert.deepStrictEqual(
        yield* found(w.ben, { q: "kayak", to: at }),
        all.filter((hit) => hit.message.createdAt < at).map((hit) => hit.message.id)
      )
      assert.include(yield* found(w.ben, { q: "kayak", from: at }), m.rental.id)
      assert.notInclude(yield* found(w.ben, { q: "kayak", to: at }), m.rental.id)

      // Files: the flag follows a message's attachments (attaching a photo through the media
      // pipeline is the attachments' test; here the message is given one directly).
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE chat_messages SET attachment_ids = ARRAY[gen_random_uuid()] WHERE id = ${m.rental.id}`.pipe(
        Effect.orDie
      )
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", hasFile: "true" }), [m.rental.id])
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", hasFile: "false" }), [
        m.thrice.id,
        m.reply.id,
        m.askDirect.id,
        m.saturday.id
      ])

      // Bad input is refused, never a 500.
      expectStatus(yield* searchResponse(w.ben, { q: "" }), 400, "InvalidRequest")
      expectStatus(yield* searchResponse(w.ben, { q: "kayak", from: "yesterday" }), 400, "InvalidRequest")
      expectStatus(yield* searchResponse(w.ben, { q: "kayak", hasFile: "yes" }), 400, "InvalidRequest")
      expectStatus(yield* searchResponse(w.ben, { q: "kayak", channelId: "general" }), 400, "InvalidRequest")
      expectStatus(yield* searchResponse(w.ben, { q: "kayak", cursor: "nope" }), 400, "InvalidCursor")
      expectStatus(yield* call("GET", "/api/v1/me/chat/search?q=kayak", { token: undefined }), 401, "Unauthorized")
    })
  )

  it.effect("pages with a cursor scoped to its search", () =>
    Effect.gen(function* () {
      const w = yield* world
      const everything = yield* found(w.anna, { q: "kayak" })
      const paged: Array<string> = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: SearchPage = yield* search(w.anna, {
          q: "kayak",
          limit: "2",
          ...(cursor === null ? {} : { cursor })
        })
        assert.isAtMost(page.items.length, 2)
        paged.push(...page.items.map((hit) => hit.message.id))
        cursor = page.nextCursor
        pages++
      } while (cursor !== null && pages < 10)
      assert.deepStrictEqual(paged, everything)
      assert.strictEqual(pages, 3)

      const first = yield* search(w.anna, { q: "kayak", limit: "2" })
      if (first.nextCursor === null) return assert.fail("a second page")
      // The cursor of another search, or another searcher's filters, is refused.
      expectStatus(
        yield* searchResponse(w.anna, { q: "kayaks", limit: "2", cursor: first.nextCursor }),
        400,
        "InvalidCursor"
      )
      expectStatus(
        yield* searchResponse(w.anna, { q: "kayak", channelId: w.general, cursor: first.nextCursor }),
        400,
        "InvalidCursor"
      )
    })
  )

  it.effect("never shows a private channel one is not in, nor the channels of a group one left", () =>
    Effect.gen(function* () {
      const w = yield* world
      const m = w.messages
      expectStatus(yield* searchResponse(w.ben, { q: "kayak", channelId: w.secret }), 404, "ChannelNotFound")
      const stranger = yield* signUp("Stranger")
      assert.deepStrictEqual(yield* found(stranger, { q: "kayak" }), [])
      expectStatus(yield* searchResponse(stranger, { q: "kayak", channelId: w.general }), 404, "ChannelNotFound")

      // Added to the private channel, Ben finds its messages; removed, no longer.
      expectStatus(
        yield* call("PUT", `/api/v1/channels/${w.secret}/members/${w.ben.userId}`, { token: w.anna.token }),
        200
      )
      assert.include(yield* found(w.ben, { q: "kayak" }), m.hidden.id)
      expectStatus(
        yield* call("DELETE", `/api/v1/channels/${w.secret}/members/${w.ben.userId}`, { token: w.anna.token }),
        204
      )
      assert.notInclude(yield* found(w.ben, { q: "kayak" }), m.hidden.id)

      // Having left the group, Ben finds only his conversation with Anna.
      expectStatus(yield* call("POST", `/api/v1/groups/${w.groupId}/leave`, { token: w.ben.token }), 204)
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak" }), [m.askDirect.id])
      expectStatus(yield* searchResponse(w.ben, { q: "kayak", channelId: w.general }), 404, "ChannelNotFound")
      assert.deepStrictEqual(yield* found(w.ben, { q: "kayak", groupId: w.groupId }), [])
    })
  )

  it.effect("over RPC: the same results, filters and refusals", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const w = yield* world
        const m = w.messages
        yield* Ref.set(token, Option.some(w.ben.token))
        const page = yield* client.SearchMessages({ q: "kayak", limit: 2 })
        assert.deepStrictEqual(
          page.items.map((hit) => hit.message.id),
          [m.thrice.id, m.reply.id]
        )
        const next = yield* client.SearchMessages({ q: "kayak", limit: 2, cursor: page.nextCursor ?? undefined })
        assert.deepStrictEqual(
          next.items.map((hit) => hit.message.id),
          [m.askDirect.id, m.rental.id]
        )
        const general = yield* client.SearchMessages({ q: "sat", channelId: ChannelId.make(w.general) })
        assert.deepStrictEqual(
          general.items.map((hit) => hit.highlight),
          [
            [
              { text: "Kayak trip on ", match: false },
              { text: "Saturday", match: true }
            ]
          ]
        )
        const refused = yield* Effect.flip(client.SearchMessages({ q: "kayak", channelId: ChannelId.make(w.secret) }))
        assert.strictEqual(refused._tag, "ChannelNotFound")
      })
    )
  })
})
