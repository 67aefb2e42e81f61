import { assert, layer } from "@effect/vitest"
import { ChannelId } from "@moim/domain/Chat/Chat"
import { GroupId } from "@moim/domain/Groups/Group"
import { Effect, Option, Ref } from "effect"
import { befriend, createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface ChannelView {
  readonly id: string
  readonly name: string | null
  readonly kind: string
  readonly isDefault: boolean
  readonly archived: boolean
  readonly memberCount: number
  readonly members: ReadonlyArray<{ readonly id: string }>
  readonly viewer: {
    readonly member: boolean
    readonly role: string | null
    readonly canManage: boolean
    readonly lastReadMessageId: string | null
    readonly unreadCount: number
    readonly mentionCount: number
  }
}

interface MessageView {
  readonly id: string
  readonly body: string
  readonly author: { readonly id: string } | null
  readonly entities: ReadonlyArray<{ readonly type: string; readonly userId?: string }>
  readonly threadRootId: string | null
  readonly thread: { readonly replyCount: number; readonly participantIds: ReadonlyArray<string> }
  readonly edited: boolean
  readonly deleted: boolean
}

interface History {
  readonly items: ReadonlyArray<MessageView>
  readonly hasMoreBefore: boolean
  readonly hasMoreAfter: boolean
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const channelOf = (response: JsonResponse, status = 200) => expectStatus(response, status).json as ChannelView

const joinGroup = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

const send = (user: TestUser, channelId: string, body: Record<string, unknown>) =>
  call("POST", `/api/v1/channels/${channelId}/messages`, { token: user.token, body })

const sent = (user: TestUser, channelId: string, text: string, extra: Record<string, unknown> = {}) =>
  Effect.map(
    send(user, channelId, { body: text, ...extra }),
    (response) => expectStatus(response, 201).json as MessageView
  )

const history = (user: TestUser, channelId: string, query = "") =>
  Effect.map(
    call("GET", `/api/v1/channels/${channelId}/messages${query}`, { token: user.token }),
    (response) => expectStatus(response, 200).json as History
  )

const getChannel = (user: TestUser, channelId: string) =>
  call("GET", `/api/v1/channels/${channelId}`, { token: user.token })

const createChannel = (user: TestUser, groupId: string, body: Record<string, unknown>) =>
  call("POST", `/api/v1/groups/${groupId}/channels`, { token: user.token, body })

/** A public group with its owner and `members` members, and its `general` channel. */
const team = (members: number) =>
  Effect.gen(function* () {
    const owner = yield* signUp("Owner")
    const groupId = yield* createGroup(owner, { name: "Workshop" })
    const people = yield* Effect.forEach(
      Array.from({ length: members }, (_, i) => i),
      (i) => Effect.tap(signUp(`Member ${i}`), (user) => joinGroup(user, groupId)),
      { concurrency: 4 }
    )
    const list = expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/channels`, { token: owner.token }), 200)
      .body.items as ReadonlyArray<ChannelView>
    const general = list.find((channel) => channel.isDefault)
    if (general === undefined) return assert.fail("a group has a general channel")
    return { owner, groupId, people, general: general.id }
  })

const two = <A>(items: ReadonlyArray<A>): readonly [A, A] => {
  const [first, second] = items
  if (first === undefined || second === undefined) return assert.fail("two people")
  return [first, second]
}

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Chat", (it) => {
  it.effect("every member is in the group's general channel; channels are created, named once, listed", () =>
    Effect.gen(function* () {
      const { owner, groupId, people, general } = yield* team(2)
      const [anna, ben] = two(people)
      const generalView = channelOf(yield* getChannel(anna, general))
      assert.deepInclude(generalView, { name: "general", kind: "public", isDefault: true, memberCount: 3 })
      assert.isTrue(generalView.viewer.member)

      const created = channelOf(
        yield* createChannel(anna, groupId, { name: "  Trail-Maps ", topic: "Where we walk" }),
        201
      )
      assert.deepInclude(created, { name: "trail-maps", kind: "public", memberCount: 1 })
      assert.deepInclude(created.viewer, { member: true, role: "admin", canManage: true })
      expectStatus(yield* createChannel(ben, groupId, { name: "TRAIL-maps" }), 409, "ChannelNameTaken")
      expectStatus(yield* createChannel(ben, groupId, { name: "has space" }), 400, "InvalidRequest")
      expectStatus(yield* createChannel(ben, groupId, { name: "" }), 400, "InvalidRequest")

      // A public channel is readable by the group's members before they join; joining makes them write.
      const benView = channelOf(yield* getChannel(ben, created.id))
      assert.deepInclude(benView.viewer, { member: false, canManage: false })
      expectStatus(yield* send(ben, created.id, { body: "hello" }), 403, "Forbidden")
      channelOf(yield* call("POST", `/api/v1/channels/${created.id}/join`, { token: ben.token }))
      yield* sent(ben, created.id, "hello")

      // The list: general first, then by name; the owner manages every channel of the group.
      yield* createChannel(ben, groupId, { name: "aaa" })
      const names = (
        expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/channels`, { token: owner.token }), 200).body
          .items as ReadonlyArray<ChannelView>
      ).map((channel) => channel.name)
      assert.deepStrictEqual(names, ["general", "aaa", "trail-maps"])
      assert.isTrue(channelOf(yield* getChannel(owner, created.id)).viewer.canManage)

      // Someone outside the group sees none of it.
      const stranger = yield* signUp("Stranger")
      expectStatus(yield* getChannel(stranger, general), 404, "ChannelNotFound")
      expectStatus(
        yield* call("GET", `/api/v1/groups/${groupId}/channels`, { token: stranger.token }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("GET", `/api/v1/channels/${general}/messages`, { token: stranger.token }),
        404,
        "ChannelNotFound"
      )
    })
  )

  it.effect("a private channel is invisible to those not in it, on every path, until they are added", () =>
    Effect.gen(function* () {
      const { groupId, people } = yield* team(2)
      const [anna, ben] = two(people)
      const secret = channelOf(yield* createChannel(anna, groupId, { name: "planning", kind: "private" }), 201)
      yield* sent(anna, secret.id, "the surprise is on Friday")

      const hidden = [
        yield* getChannel(ben, secret.id),
        yield* call("GET", `/api/v1/channels/${secret.id}/messages`, { token: ben.token }),
        yield* call("GET", `/api/v1/channels/${secret.id}/members`, { token: ben.token }),
        yield* call("POST", `/api/v1/channels/${secret.id}/join`, { token: ben.token }),
        yield* send(ben, secret.id, { body: "let me in" }),
        yield* call("POST", `/api/v1/channels/${secret.id}/read`, { token: ben.token, body: {} })
      ]
      for (const response of hidden) expectStatus(response, 404, "ChannelNotFound")
      const listed = (
        expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/channels`, { token: ben.token }), 200).body
          .items as ReadonlyArray<ChannelView>
      ).map((channel) => channel.id)
      assert.notInclude(listed, secret.id)

      // Added by its admin, Ben reads the history; removed, it is gone again.
      expectStatus(
        yield* call("PUT", `/api/v1/channels/${secret.id}/members/${ben.userId}`, { token: anna.token }),
        200
      )
      assert.deepStrictEqual(
        (yield* history(ben, secret.id)).items.map((message) => message.body),
        ["the surprise is on Friday"]
      )
      // A member who is not its admin may not add or remove people.
      const carol = yield* signUp("Carol")
      yield* joinGroup(carol, groupId)
      expectStatus(
        yield* call("PUT", `/api/v1/channels/${secret.id}/members/${carol.userId}`, { token: ben.token }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/channels/${secret.id}/members/${anna.userId}`, { token: ben.token }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/channels/${secret.id}/members/${ben.userId}`, { token: anna.token }),
        204
      )
      expectStatus(yield* getChannel(ben, secret.id), 404, "ChannelNotFound")
      // Nobody outside the group is added.
      const outsider = yield* signUp("Outsider")
      expectStatus(
        yield* call("PUT", `/api/v1/channels/${secret.id}/members/${outsider.userId}`, { token: anna.token }),
        404,
        "UserNotFound"
      )
    })
  )

  it.effect("messages: idempotent sends, mentions, edits with their history, deletion that keeps threads", () =>
    Effect.gen(function* () {
      const { general, people } = yield* team(2)
      const [anna, ben] = two(people)
      // The same client id sent twice at once makes one message.
      const [first, again] = yield* Effect.all(
        [
          send(anna, general, { body: "hi all", clientMessageId: "c-1" }),
          send(anna, general, { body: "hi all", clientMessageId: "c-1" })
        ],
        { concurrency: 2 }
      )
      assert.strictEqual(expectStatus(first, 201).body.id, expectStatus(again, 201).body.id)
      assert.strictEqual((yield* history(ben, general)).items.length, 1)

      const mention = yield* sent(
        ben,
        general,
        `<@${anna.userId}> and @member0 and @channel, see https://example.com/x`
      )
      assert.deepStrictEqual(
        mention.entities.map((entity) => [entity.type, entity.userId ?? null]),
        [
          ["mention", anna.userId],
          ["mention", anna.userId],
          ["channelMention", null],
          ["link", null]
        ]
      )

      const edited = expectStatus(
        yield* call("PATCH", `/api/v1/messages/${mention.id}`, { token: ben.token, body: { body: "fixed" } }),
        200
      ).json as MessageView
      assert.deepInclude(edited, { body: "fixed", edited: true })
      expectStatus(
        yield* call("PATCH", `/api/v1/messages/${mention.id}`, { token: anna.token, body: { body: "mine now" } }),
        403,
        "Forbidden"
      )
      const edits = expectStatus(yield* call("GET", `/api/v1/messages/${mention.id}/edits`, { token: ben.token }), 200)
        .json as ReadonlyArray<{ readonly body: string }>
      assert.deepStrictEqual(
        edits.map((edit) => edit.body),
        [`<@${anna.userId}> and @member0 and @channel, see https://example.com/x`]
      )
      expectStatus(yield* call("GET", `/api/v1/messages/${mention.id}/edits`, { token: anna.token }), 403, "Forbidden")

      // A thread: replies counted on the root, with who took part; deleting the root keeps them.
      const root = yield* sent(anna, general, "who brings the maps?")
      yield* sent(ben, general, "me", { threadRootId: root.id })
      yield* sent(anna, general, "thanks", { threadRootId: root.id })
      const replies = expectStatus(yield* call("GET", `/api/v1/messages/${root.id}/replies`, { token: ben.token }), 200)
        .json as History
      assert.deepStrictEqual(
        replies.items.map((reply) => reply.body),
        ["me", "thanks"]
      )
      const withThread = expectStatus(yield* call("GET", `/api/v1/messages/${root.id}`, { token: ben.token }), 200)
        .json as MessageView
      assert.strictEqual(withThread.thread.replyCount, 2)
      assert.deepStrictEqual(withThread.thread.participantIds, [anna.userId, ben.userId])
      expectStatus(
        yield* send(ben, general, { body: "a reply to a reply", threadRootId: replies.items[0]?.id }),
        404,
        "MessageNotFound"
      )
      // The channel's history has messages, not replies.
      assert.notInclude(
        (yield* history(ben, general)).items.map((message) => message.body),
        "me"
      )

      expectStatus(yield* call("DELETE", `/api/v1/messages/${root.id}`, { token: ben.token }), 403, "Forbidden")
      expectStatus(yield* call("DELETE", `/api/v1/messages/${root.id}`, { token: anna.token }), 204)
      const placeholder = expectStatus(yield* call("GET", `/api/v1/messages/${root.id}`, { token: ben.token }), 200)
        .json as MessageView
      assert.deepInclude(placeholder, { body: "", deleted: true })
      assert.strictEqual(placeholder.thread.replyCount, 2)
      assert.strictEqual(
        (
          expectStatus(yield* call("GET", `/api/v1/messages/${root.id}/replies`, { token: ben.token }), 200)
            .json as History
        ).items.length,
        2
      )
    })
  )

  it.effect("history pages before, after and around a message", () =>
    Effect.gen(function* () {
      const { general, people } = yield* team(1)
      const [anna] = people
      if (anna === undefined) return assert.fail("a member")
      const all = yield* Effect.forEach(
        Array.from({ length: 25 }, (_, i) => i),
        (i) => sent(anna, general, `m${i}`)
      )
      const bodies = (page: History) => page.items.map((message) => message.body)
      const newest = yield* history(anna, general, "?limit=10")
      assert.deepStrictEqual(
        bodies(newest),
        Array.from({ length: 10 }, (_, i) => `m${15 + i}`)
      )
      assert.deepInclude(newest, { hasMoreBefore: true, hasMoreAfter: false })
      const older = yield* history(anna, general, `?limit=10&before=${newest.items[0]?.id}`)
      assert.deepStrictEqual(
        bodies(older),
        Array.from({ length: 10 }, (_, i) => `m${5 + i}`)
      )
      const oldest = yield* history(anna, general, `?limit=10&before=${older.items[0]?.id}`)
      assert.deepStrictEqual(bodies(oldest), ["m0", "m1", "m2", "m3", "m4"])
      assert.deepInclude(oldest, { hasMoreBefore: false, hasMoreAfter: true })
      const after = yield* history(anna, general, `?limit=3&after=${all[20]?.id}`)
      assert.deepStrictEqual(bodies(after), ["m21", "m22", "m23"])
      assert.isTrue(after.hasMoreAfter)
      const around = yield* history(anna, general, `?limit=2&around=${all[12]?.id}`)
      assert.deepStrictEqual(bodies(around), ["m10", "m11", "m12", "m13", "m14"])
      // An anchor from another channel is not found; two anchors at once are refused.
      const other = yield* team(0)
      const elsewhere = yield* sent(other.owner, other.general, "elsewhere")
      expectStatus(
        yield* call("GET", `/api/v1/channels/${general}/messages?before=${elsewhere.id}`, { token: anna.token }),
        404,
        "MessageNotFound"
      )
      expectStatus(
        yield* call("GET", `/api/v1/channels/${general}/messages?before=${all[3]?.id}&after=${all[2]?.id}`, {
          token: anna.token
        }),
        404,
        "MessageNotFound"
      )
      expectStatus(
        yield* call("GET", `/api/v1/channels/${general}/messages?limit=0`, { token: anna.token }),
        400,
        "InvalidRequest"
      )
    })
  )

  it.effect("read state: unread and mention counts stay exact under concurrent sends", () =>
    Effect.gen(function* () {
      const { general, people, owner } = yield* team(4)
      const reader = owner
      // Twenty messages from four people at once, five of which mention the reader.
      yield* Effect.all(
        Array.from({ length: 20 }, (_, i) => {
          const author = people[i % people.length]
          if (author === undefined) return Effect.die(new Error("no author"))
          return sent(author, general, i % 4 === 0 ? `<@${reader.userId}> look ${i}` : `msg ${i}`)
        }),
        { concurrency: "unbounded" }
      )
      const before = channelOf(yield* getChannel(reader, general)).viewer
      assert.deepInclude(before, { unreadCount: 20, mentionCount: 5 })
      // Read up to the tenth message: ten left, and the mentions after it.
      const page = yield* history(reader, general, "?limit=100")
      const tenth = page.items[9]
      if (tenth === undefined) return assert.fail("twenty messages")
      const partly = expectStatus(
        yield* call("POST", `/api/v1/channels/${general}/read`, { token: reader.token, body: { messageId: tenth.id } }),
        200
      ).body
      const mentionsLeft = page.items.slice(10).filter((message) => message.body.startsWith("<@")).length
      assert.deepInclude(partly, { unreadCount: 10, mentionCount: mentionsLeft, lastReadMessageId: tenth.id })
      // Reading never moves back.
      const first = page.items[0]
      expectStatus(
        yield* call("POST", `/api/v1/channels/${general}/read`, {
          token: reader.token,
          body: { messageId: first?.id }
        }),
        200
      )
      assert.strictEqual(channelOf(yield* getChannel(reader, general)).viewer.unreadCount, 10)
      const all = expectStatus(
        yield* call("POST", `/api/v1/channels/${general}/read`, { token: reader.token }),
        200
      ).body
      assert.deepInclude(all, { unreadCount: 0, mentionCount: 0 })
      // One's own messages are never unread.
      yield* sent(reader, general, "my own")
      assert.strictEqual(channelOf(yield* getChannel(reader, general)).viewer.unreadCount, 0)
      const mine = expectStatus(yield* call("GET", "/api/v1/me/channels", { token: reader.token }), 200).body
        .items as ReadonlyArray<ChannelView>
      assert.include(
        mine.map((channel) => channel.id),
        general
      )
    })
  )

  it.effect("direct conversations: between people who share a group or are friends, never across a block", () =>
    Effect.gen(function* () {
      const { people } = yield* team(2)
      const [anna, ben] = two(people)
      const open = (user: TestUser, userIds: ReadonlyArray<string>) =>
        call("POST", "/api/v1/me/direct-channels", { token: user.token, body: { userIds } })
      const direct = channelOf(yield* open(anna, [ben.userId]))
      assert.deepInclude(direct, { kind: "direct", name: null, memberCount: 2 })
      assert.sameMembers(
        direct.members.map((member) => member.id),
        [anna.userId, ben.userId]
      )
      // The same two people, the same conversation, whoever opens it.
      assert.strictEqual(channelOf(yield* open(ben, [anna.userId])).id, direct.id)
      yield* sent(anna, direct.id, "psst")
      assert.strictEqual(channelOf(yield* getChannel(ben, direct.id)).viewer.unreadCount, 1)

      const stranger = yield* signUp("Stranger")
      expectStatus(yield* open(anna, [stranger.userId]), 403, "DirectMessageNotAllowed")
      expectStatus(yield* getChannel(stranger, direct.id), 404, "ChannelNotFound")
      yield* befriend(anna, stranger)
      channelOf(yield* open(anna, [stranger.userId]))
      expectStatus(yield* open(anna, []), 400, "InvalidRequest")
      expectStatus(yield* open(anna, [anna.userId]), 403, "DirectMessageNotAllowed")

      // Nobody leaves a one-to-one conversation; a block ends sending in it.
      expectStatus(yield* call("POST", `/api/v1/channels/${direct.id}/leave`, { token: ben.token }), 403, "Forbidden")
      expectStatus(yield* call("PUT", `/api/v1/users/${anna.userId}/block`, { token: ben.token }), 204)
      expectStatus(yield* send(anna, direct.id, { body: "hello?" }), 403, "DirectMessageNotAllowed")
      expectStatus(yield* open(anna, [ben.userId]), 403, "DirectMessageNotAllowed")
    })
  )

  it.effect("archiving, leaving, and leaving the group", () =>
    Effect.gen(function* () {
      const { owner, groupId, general, people } = yield* team(2)
      const [anna, ben] = two(people)
      const room = channelOf(yield* createChannel(anna, groupId, { name: "room", kind: "private" }), 201)
      expectStatus(yield* call("PUT", `/api/v1/channels/${room.id}/members/${ben.userId}`, { token: anna.token }), 200)

      expectStatus(yield* call("POST", `/api/v1/channels/${room.id}/archive`, { token: ben.token }), 403, "Forbidden")
      assert.isTrue(
        channelOf(yield* call("POST", `/api/v1/channels/${room.id}/archive`, { token: anna.token })).archived
      )
      expectStatus(yield* send(ben, room.id, { body: "anyone?" }), 409, "ChannelArchived")
      expectStatus(
        yield* call("PATCH", `/api/v1/channels/${room.id}`, { token: anna.token, body: { topic: "x" } }),
        409,
        "ChannelArchived"
      )
      assert.isFalse(
        channelOf(yield* call("POST", `/api/v1/channels/${room.id}/unarchive`, { token: anna.token })).archived
      )
      expectStatus(yield* call("POST", `/api/v1/channels/${general}/archive`, { token: owner.token }), 403, "Forbidden")
      expectStatus(yield* call("POST", `/api/v1/channels/${general}/leave`, { token: ben.token }), 403, "Forbidden")
      expectStatus(
        yield* call("PATCH", `/api/v1/channels/${general}`, { token: owner.token, body: { name: "lobby" } }),
        403,
        "Forbidden"
      )
      // Anyone in it sets the topic; only its admins rename it.
      assert.strictEqual(
        (
          expectStatus(
            yield* call("PATCH", `/api/v1/channels/${room.id}`, { token: ben.token, body: { topic: "Plans" } }),
            200
          ).json as { readonly topic: string }
        ).topic,
        "Plans"
      )
      expectStatus(
        yield* call("PATCH", `/api/v1/channels/${room.id}`, { token: ben.token, body: { name: "mine" } }),
        403,
        "Forbidden"
      )

      // Leaving the group leaves its channels: the private one is hidden, general too.
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/leave`, { token: ben.token }), 204)
      expectStatus(yield* getChannel(ben, room.id), 404, "ChannelNotFound")
      expectStatus(yield* getChannel(ben, general), 404, "ChannelNotFound")
      assert.strictEqual(channelOf(yield* getChannel(anna, room.id)).memberCount, 1)
      const mine = expectStatus(yield* call("GET", "/api/v1/me/channels", { token: ben.token }), 200).body
        .items as ReadonlyArray<ChannelView>
      assert.deepStrictEqual(mine, [])
    })
  )

  it.effect("the same flows over RPC", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const { groupId, people } = yield* team(1)
        const [anna] = people
        if (anna === undefined) return assert.fail("a member")
        yield* Ref.set(token, Option.some(anna.token))
        const channel = yield* client.CreateChannel({ id: GroupId.make(groupId), name: "rpc-room" })
        const message = yield* client.SendMessage({ id: channel.id, body: "over rpc", clientMessageId: "r1" })
        const again = yield* client.SendMessage({ id: channel.id, body: "over rpc", clientMessageId: "r1" })
        assert.strictEqual(again.id, message.id)
        const page = yield* client.ListMessages({ id: channel.id })
        assert.deepStrictEqual(
          page.items.map((item) => item.body),
          ["over rpc"]
        )
        const stranger = yield* signUp("Rpc stranger")
        yield* Ref.set(token, Option.some(stranger.token))
        const refused = yield* client.GetChannel({ id: ChannelId.make(channel.id) }).pipe(Effect.flip)
        assert.strictEqual(refused._tag, "ChannelNotFound")
        const unsent = yield* client.SendMessage({ id: channel.id, body: "let me in" }).pipe(Effect.flip)
        assert.strictEqual(unsent._tag, "ChannelNotFound")
      })
    )
  })
})
