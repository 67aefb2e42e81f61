import { assert, layer } from "@effect/vitest"
import { ChannelId, MessageId } from "@moim/domain/Chat/Chat"
import { MediaId } from "@moim/domain/Media/Media"
import { Effect, Option, Ref, Schema } from "effect"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface Reaction {
  readonly emoji: string
  readonly count: number
  readonly userIds: ReadonlyArray<string>
}

interface MessageView {
  readonly id: string
  readonly body: string
  readonly author: { readonly id: string } | null
  readonly threadRootId: string | null
  readonly thread: { readonly replyCount: number }
  readonly deleted: boolean
  readonly edited: boolean
  readonly reactions: ReadonlyArray<Reaction>
  readonly pinned: { readonly by: string | null; readonly at: string } | null
  readonly attachments: ReadonlyArray<{ readonly id: string; readonly status: string }>
}

interface History {
  readonly items: ReadonlyArray<MessageView>
  readonly hasMoreBefore: boolean
  readonly hasMoreAfter: boolean
}

interface ThreadView {
  readonly message: MessageView
  readonly following: boolean
  readonly unreadCount: number
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

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

const createChannel = (user: TestUser, groupId: string, body: Record<string, unknown>) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/channels`, { token: user.token, body }), (response) =>
    String(expectStatus(response, 201).body.id)
  )

const reactionPath = (messageId: string, emoji: string) =>
  `/api/v1/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`

const react = (user: TestUser, messageId: string, emoji: string) =>
  call("PUT", reactionPath(messageId, emoji), { token: user.token })

const unreact = (user: TestUser, messageId: string, emoji: string) =>
  call("DELETE", reactionPath(messageId, emoji), { token: user.token })

const messageOf = (response: JsonResponse) => expectStatus(response, 200).json as MessageView

const threads = (user: TestUser, query = "") =>
  Effect.map(
    call("GET", `/api/v1/me/threads${query}`, { token: user.token }),
    (response) => expectStatus(response, 200).json as { items: ReadonlyArray<ThreadView>; nextCursor: string | null }
  )

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
      .body.items as ReadonlyArray<{ readonly id: string; readonly isDefault: boolean }>
    const general = list.find((channel) => channel.isDefault)
    if (general === undefined) return assert.fail("a group has a general channel")
    return { owner, groupId, people, general: general.id }
  })

const two = <A>(items: ReadonlyArray<A>): readonly [A, A] => {
  const [first, second] = items
  if (first === undefined || second === undefined) return assert.fail("two people")
  return [first, second]
}

const Upload = Schema.Struct({
  mediaId: Schema.String,
  url: Schema.String,
  method: Schema.Literal("PUT"),
  headers: Schema.Record(Schema.String, Schema.String)
})

/** A photo uploaded and finalised (the worker is not running, so it stays `processing`). */
const photo = (user: TestUser) =>
  Effect.gen(function* () {
    const bytes = new Uint8Array(64).fill(7)
    const started = yield* call("POST", "/api/v1/media", {
      token: user.token,
      body: { contentType: "image/png", size: bytes.length }
    })
    const upload = Schema.decodeUnknownSync(Upload)(expectStatus(started, 201).json)
    const put = yield* Effect.promise(() =>
      fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes })
    )
    assert.isTrue(put.ok, `upload: ${put.status}`)
    expectStatus(yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: user.token }), 200)
    return upload.mediaId
  })

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "180 seconds" })("Chat messages: extras", (it) => {
  it.effect("reactions: any emoji, several per person, counts exact when many react at once", () =>
    Effect.gen(function* () {
      const { owner, groupId, people, general } = yield* team(14)
      const message = yield* sent(owner, general, "Vote with emoji")

      // Fourteen people react with 👍 and 🎉 at once, and the owner with 👍 twice.
      yield* Effect.forEach(
        [...people, owner, owner],
        (person, i) =>
          Effect.gen(function* () {
            expectStatus(yield* react(person, message.id, "👍"), 200)
            if (i < people.length) expectStatus(yield* react(person, message.id, "🎉"), 200)
          }),
        { concurrency: 16 }
      )
      const counted = messageOf(yield* call("GET", `/api/v1/messages/${message.id}`, { token: owner.token }))
      assert.deepStrictEqual(
        counted.reactions.map((reaction) => [reaction.emoji, reaction.count, reaction.userIds.length]),
        [
          ["👍", 15, 10],
          ["🎉", 14, 10]
        ]
      )
      // The counts match the people: nobody counted twice, nobody lost.
      const [anna, ben] = two(people)
      const mine = (view: MessageView, user: TestUser) =>
        view.reactions.filter((reaction) => reaction.userIds.includes(user.userId)).map((reaction) => reaction.emoji)

      // Taking one back changes that one; taking it back again changes nothing.
      const fewer = messageOf(yield* unreact(anna, message.id, "🎉"))
      assert.deepStrictEqual(
        fewer.reactions.map((reaction) => reaction.count),
        [15, 13]
      )
      messageOf(yield* unreact(anna, message.id, "🎉"))
      const shortcode = messageOf(yield* react(ben, message.id, ":party_parrot:"))
      assert.deepStrictEqual(shortcode.reactions.at(-1), { emoji: ":party_parrot:", count: 1, userIds: [ben.userId] })
      assert.include(mine(shortcode, ben), ":party_parrot:")
      const flag = messageOf(yield* react(ben, message.id, "🇰🇷"))
      assert.strictEqual(flag.reactions.at(-1)?.emoji, "🇰🇷")

      // Not emoji: refused.
      for (const bad of ["abc", "1", ":Upper:", "👍".repeat(33), "a b"]) {
        expectStatus(yield* react(ben, message.id, bad), 400, "InvalidRequest")
      }

      // Reactions on a thread reply work the same; a deleted message takes none and keeps none.
      const reply = yield* sent(ben, general, "in the thread", { threadRootId: message.id })
      assert.strictEqual(messageOf(yield* react(anna, reply.id, "✅")).reactions[0]?.count, 1)
      expectStatus(yield* call("DELETE", `/api/v1/messages/${reply.id}`, { token: ben.token }), 204)
      expectStatus(yield* react(anna, reply.id, "✅"), 404, "MessageNotFound")
      const gone = messageOf(yield* call("GET", `/api/v1/messages/${reply.id}`, { token: anna.token }))
      assert.deepStrictEqual(gone.reactions, [])

      // At most 50 different emoji on one message.
      const crowded = yield* sent(owner, general, "Crowded")
      yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => `:e${i}:`),
        (emoji) => Effect.map(react(anna, crowded.id, emoji), (response) => expectStatus(response, 200)),
        { concurrency: 8 }
      )
      expectStatus(yield* react(ben, crowded.id, ":one-too-many:"), 409, "TooManyReactions")
      expectStatus(yield* react(ben, crowded.id, ":e7:"), 200)

      // Outside the group the message does not exist; in a public channel one has not joined, no reacting.
      const stranger = yield* signUp("Stranger")
      expectStatus(yield* react(stranger, message.id, "👍"), 404, "MessageNotFound")
      expectStatus(yield* unreact(stranger, message.id, "👍"), 404, "MessageNotFound")
      const side = yield* createChannel(owner, groupId, { name: "side" })
      const there = yield* sent(owner, side, "Over here")
      expectStatus(yield* react(anna, there.id, "👍"), 403, "Forbidden")
      expectStatus(yield* call("POST", `/api/v1/channels/${side}/archive`, { token: owner.token }), 200)
      expectStatus(yield* react(owner, there.id, "👍"), 409, "ChannelArchived")
    })
  )

  it.effect("pins: anyone in the channel, newest first, at most 100 even when pinned at once", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* team(2)
      const [anna, ben] = two(people)
      const room = yield* createChannel(owner, groupId, { name: "pins", kind: "private" })
      expectStatus(yield* call("PUT", `/api/v1/channels/${room}/members/${anna.userId}`, { token: owner.token }), 200)
      const first = yield* sent(owner, room, "first")
      const second = yield* sent(owner, room, "second")
      const pinned = messageOf(yield* call("PUT", `/api/v1/messages/${first.id}/pin`, { token: anna.token }))
      assert.strictEqual(pinned.pinned?.by, anna.userId)
      messageOf(yield* call("PUT", `/api/v1/messages/${second.id}/pin`, { token: owner.token }))
      // Pinning again changes nothing.
      assert.strictEqual(
        messageOf(yield* call("PUT", `/api/v1/messages/${first.id}/pin`, { token: owner.token })).pinned?.by,
        anna.userId
      )
      const pins = (user: TestUser) => call("GET", `/api/v1/channels/${room}/pins`, { token: user.token })
      assert.deepStrictEqual(
        (expectStatus(yield* pins(anna), 200).json as ReadonlyArray<MessageView>).map((message) => message.body),
        ["second", "first"]
      )
      assert.isNull(messageOf(yield* call("DELETE", `/api/v1/messages/${second.id}/pin`, { token: anna.token })).pinned)
      assert.deepStrictEqual(
        (expectStatus(yield* pins(owner), 200).json as ReadonlyArray<MessageView>).map((message) => message.id),
        [first.id]
      )

      // Ben, in the group but not in the private channel, and a stranger find none of it.
      const stranger = yield* signUp("Stranger")
      for (const outsider of [ben, stranger]) {
        expectStatus(yield* pins(outsider), 404, "ChannelNotFound")
        expectStatus(
          yield* call("PUT", `/api/v1/messages/${second.id}/pin`, { token: outsider.token }),
          404,
          "MessageNotFound"
        )
        expectStatus(
          yield* call("DELETE", `/api/v1/messages/${first.id}/pin`, { token: outsider.token }),
          404,
          "MessageNotFound"
        )
      }

      // 100 pins: with 95 pinned (one already), ten more pinned all at once leave exactly five refused.
      const more = yield* Effect.forEach(
        Array.from({ length: 104 }, (_, i) => i),
        (i) => sent(owner, room, `message ${i}`),
        { concurrency: 8 }
      )
      const pin = (message: MessageView) => call("PUT", `/api/v1/messages/${message.id}/pin`, { token: anna.token })
      yield* Effect.forEach(
        more.slice(0, 94),
        (message) => Effect.map(pin(message), (answer) => expectStatus(answer, 200)),
        {
          concurrency: 8
        }
      )
      const answers = yield* Effect.forEach(more.slice(94), pin, { concurrency: "unbounded" })
      assert.deepStrictEqual(
        answers.map((answer) => answer.status).sort(),
        [200, 200, 200, 200, 200, 409, 409, 409, 409, 409]
      )
      for (const refused of answers.filter((answer) => answer.status !== 200)) {
        expectStatus(refused, 409, "ChannelPinLimitReached")
      }
      assert.strictEqual((expectStatus(yield* pins(owner), 200).json as ReadonlyArray<MessageView>).length, 100)

      // Deleting a pinned message unpins it.
      expectStatus(yield* call("DELETE", `/api/v1/messages/${first.id}`, { token: owner.token }), 204)
      const left = expectStatus(yield* pins(owner), 200).json as ReadonlyArray<MessageView>
      assert.strictEqual(left.length, 99)
      assert.notInclude(
        left.map((message) => message.id),
        first.id
      )
    })
  )

  it.effect("attachments: the sender's finished photos, claimed once, changed by edits, released on delete", () =>
    Effect.gen(function* () {
      const { general, people } = yield* team(2)
      const [anna, ben] = two(people)
      const [one, other, third] = yield* Effect.all([photo(anna), photo(anna), photo(anna)])
      const message = yield* sent(anna, general, "Look", { attachmentIds: [one, other, one] })
      assert.deepStrictEqual(
        message.attachments.map((attachment) => [attachment.id, attachment.status]),
        [
          [one, "processing"],
          [other, "processing"]
        ]
      )
      const newest = yield* history(ben, general)
      assert.deepStrictEqual(
        newest.items.at(-1)?.attachments.map((attachment) => attachment.id),
        [one, other]
      )

      // Someone else's photo is not found; one on another message is not attachable; nothing is sent then.
      expectStatus(yield* send(ben, general, { body: "mine?", attachmentIds: [third] }), 404, "MediaNotFound")
      expectStatus(yield* send(anna, general, { body: "again", attachmentIds: [one] }), 409, "MediaNotAttachable")
      expectStatus(
        yield* send(anna, general, { body: "many", attachmentIds: Array.from({ length: 11 }, () => third) }),
        400,
        "InvalidRequest"
      )
      assert.strictEqual((yield* history(ben, general)).items.at(-1)?.id, message.id)

      // An edit replaces the photos; one dropped can go on another message.
      const edited = messageOf(
        yield* call("PATCH", `/api/v1/messages/${message.id}`, {
          token: anna.token,
          body: { body: "Look", attachmentIds: [third] }
        })
      )
      assert.deepStrictEqual(
        edited.attachments.map((attachment) => attachment.id),
        [third]
      )
      assert.isFalse(edited.edited)
      const reused = yield* sent(anna, general, "Here instead", { attachmentIds: [one] })
      assert.deepStrictEqual(
        reused.attachments.map((attachment) => attachment.id),
        [one]
      )
      // An edit without `attachmentIds` keeps them.
      const text = messageOf(
        yield* call("PATCH", `/api/v1/messages/${reused.id}`, { token: anna.token, body: { body: "Here, instead" } })
      )
      assert.deepStrictEqual(
        text.attachments.map((attachment) => attachment.id),
        [one]
      )
      // Deleting the message releases its photos.
      expectStatus(yield* call("DELETE", `/api/v1/messages/${reused.id}`, { token: anna.token }), 204)
      const after = yield* sent(anna, general, "Once more", { attachmentIds: [one] })
      assert.deepStrictEqual(
        after.attachments.map((attachment) => attachment.id),
        [one]
      )
    })
  )

  it.effect("following threads: automatic and explicit, unread replies exact under concurrent replies", () =>
    Effect.gen(function* () {
      const { owner, groupId, people } = yield* team(8)
      const [anna, ben] = two(people)
      const room = yield* createChannel(owner, groupId, { name: "threads", kind: "private" })
      yield* Effect.forEach(
        people,
        (person) =>
          Effect.map(
            call("PUT", `/api/v1/channels/${room}/members/${person.userId}`, { token: owner.token }),
            (response) => expectStatus(response, 200)
          ),
        { concurrency: 4 }
      )
      const root = yield* sent(anna, room, "Thread starter")
      const other = yield* sent(owner, room, "Another thread")

      // Everyone replies at once, twice; Ben too.
      yield* Effect.forEach(
        [...people, ...people],
        (person, i) => sent(person, room, `reply ${i}`, { threadRootId: root.id }),
        { concurrency: 16 }
      )
      const replies = (
        expectStatus(yield* call("GET", `/api/v1/messages/${root.id}/replies?limit=100`, { token: anna.token }), 200)
          .json as History
      ).items
      assert.strictEqual(replies.length, 16)
      /** Replies by others after the person's own last reply: what they have not read. */
      const unreadFor = (user: TestUser) => {
        const lastOwn = replies.findLastIndex((reply) => reply.author?.id === user.userId)
        return replies.slice(lastOwn + 1).filter((reply) => reply.author?.id !== user.userId).length
      }
      const stateOf = (user: TestUser, id: string) =>
        Effect.map(threads(user), (page) => page.items.find((thread) => thread.message.id === id))

      // Anna started it and replied; every replier follows it, having read up to their own reply.
      for (const person of people) {
        const state = yield* stateOf(person, root.id)
        assert.deepInclude(state, { following: true, unreadCount: unreadFor(person) })
      }
      // The owner did not take part: not following, until asking; then only what comes next is unread.
      assert.isUndefined(yield* stateOf(owner, root.id))
      const followed = expectStatus(
        yield* call("PUT", `/api/v1/messages/${root.id}/follow`, { token: owner.token }),
        200
      ).json as ThreadView
      assert.deepInclude(followed, { following: true, unreadCount: 0 })

      // Five more at once: each follower's count grows by exactly those not theirs.
      const late = people.slice(2, 7)
      yield* Effect.forEach(late, (person) => sent(person, room, "late", { threadRootId: root.id }), {
        concurrency: 5
      })
      assert.strictEqual((yield* stateOf(owner, root.id))?.unreadCount, 5)
      assert.strictEqual((yield* stateOf(ben, root.id))?.unreadCount, unreadFor(ben) + 5)

      // Reading the thread clears it, for that person only.
      const read = expectStatus(
        yield* call("POST", `/api/v1/messages/${root.id}/replies/read`, { token: ben.token }),
        200
      ).json as ThreadView
      assert.strictEqual(read.unreadCount, 0)
      assert.strictEqual((yield* stateOf(ben, root.id))?.unreadCount, 0)
      assert.strictEqual((yield* stateOf(owner, root.id))?.unreadCount, 5)

      // Most recently active first.
      yield* sent(ben, room, "on the other", { threadRootId: other.id })
      assert.deepStrictEqual(
        (yield* threads(ben)).items.map((thread) => thread.message.id),
        [other.id, root.id]
      )
      assert.deepStrictEqual(
        (yield* threads(ben, "?limit=1")).items.map((thread) => thread.message.id),
        [other.id]
      )

      // Unfollowing stops it being listed; starting it does not bring it back; replying does.
      const unfollowed = expectStatus(
        yield* call("DELETE", `/api/v1/messages/${root.id}/follow`, { token: anna.token }),
        200
      ).json as ThreadView
      assert.isFalse(unfollowed.following)
      yield* sent(ben, room, "anyone?", { threadRootId: root.id })
      assert.isUndefined(yield* stateOf(anna, root.id))
      yield* sent(anna, room, "me", { threadRootId: root.id })
      assert.deepInclude(yield* stateOf(anna, root.id), { following: true, unreadCount: 0 })

      // A reply has no thread of its own; outsiders find nothing.
      const aReply = replies[0] ?? assert.fail("a reply")
      expectStatus(
        yield* call("PUT", `/api/v1/messages/${aReply.id}/follow`, { token: ben.token }),
        404,
        "MessageNotFound"
      )
      const outsider = yield* signUp("Outsider")
      yield* joinGroup(outsider, groupId)
      for (const [method, path] of [
        ["PUT", `/api/v1/messages/${root.id}/follow`],
        ["DELETE", `/api/v1/messages/${root.id}/follow`],
        ["POST", `/api/v1/messages/${root.id}/replies/read`]
      ] as const) {
        expectStatus(yield* call(method, path, { token: outsider.token }), 404, "MessageNotFound")
      }

      // Someone removed from the channel no longer sees its threads.
      expectStatus(yield* call("DELETE", `/api/v1/channels/${room}/members/${ben.userId}`, { token: owner.token }), 204)
      assert.deepStrictEqual((yield* threads(ben)).items, [])
    })
  )

  it.effect("the newest page comes from the cache and is never stale after a change", () =>
    Effect.gen(function* () {
      const { general, people } = yield* team(2)
      const [anna, ben] = two(people)
      const first = yield* sent(anna, general, "first")
      const bodies = (page: History) => page.items.map((item) => item.body)
      assert.deepStrictEqual(bodies(yield* history(ben, general)), ["first"])
      // Read twice (the second from the cache), then each change shows at once.
      assert.deepStrictEqual(bodies(yield* history(ben, general)), ["first"])
      const second = yield* sent(anna, general, "second")
      assert.deepStrictEqual(bodies(yield* history(ben, general)), ["first", "second"])

      messageOf(yield* call("PATCH", `/api/v1/messages/${first.id}`, { token: anna.token, body: { body: "first!" } }))
      assert.deepStrictEqual(bodies(yield* history(ben, general)), ["first!", "second"])

      messageOf(yield* react(ben, second.id, "👍"))
      assert.strictEqual((yield* history(anna, general)).items[1]?.reactions[0]?.count, 1)
      messageOf(yield* unreact(ben, second.id, "👍"))
      assert.deepStrictEqual((yield* history(anna, general)).items[1]?.reactions, [])

      messageOf(yield* call("PUT", `/api/v1/messages/${second.id}/pin`, { token: ben.token }))
      assert.strictEqual((yield* history(anna, general)).items[1]?.pinned?.by, ben.userId)

      yield* sent(ben, general, "a reply", { threadRootId: first.id })
      assert.strictEqual((yield* history(anna, general)).items[0]?.thread.replyCount, 1)

      const image = yield* photo(anna)
      messageOf(
        yield* call("PATCH", `/api/v1/messages/${first.id}`, {
          token: anna.token,
          body: { body: "first!", attachmentIds: [image] }
        })
      )
      assert.deepStrictEqual(
        (yield* history(ben, general)).items[0]?.attachments.map((attachment) => attachment.id),
        [image]
      )

      expectStatus(yield* call("DELETE", `/api/v1/messages/${second.id}`, { token: anna.token }), 204)
      assert.deepStrictEqual(
        (yield* history(ben, general)).items.map((item) => [item.body, item.deleted]),
        [
          ["first!", false],
          ["", true]
        ]
      )
      // The cache serves only those who may read the channel.
      const stranger = yield* signUp("Stranger")
      expectStatus(
        yield* call("GET", `/api/v1/channels/${general}/messages`, { token: stranger.token }),
        404,
        "ChannelNotFound"
      )
    })
  )

  it.effect("the same over RPC", () => {
    const token = Ref.makeUnsafe(Option.none<string>())
    return withRpcClient("http", Ref.get(token), (client) =>
      Effect.gen(function* () {
        const { general, people } = yield* team(1)
        const [anna] = people
        if (anna === undefined) return assert.fail("a member")
        const image = yield* photo(anna)
        yield* Ref.set(token, Option.some(anna.token))
        const channelId = ChannelId.make(general)
        const message = yield* client.SendMessage({
          id: channelId,
          body: "over rpc",
          attachmentIds: [MediaId.make(image)]
        })
        assert.strictEqual(message.attachments[0]?.id, image)
        const reacted = yield* client.ReactToMessage({ id: message.id, emoji: "🙌" })
        assert.deepStrictEqual(
          reacted.reactions.map((reaction) => [reaction.emoji, reaction.count, [...reaction.userIds]]),
          [["🙌", 1, [anna.userId]]]
        )
        const unreacted = yield* client.RemoveMessageReaction({ id: message.id, emoji: "🙌" })
        assert.deepStrictEqual(unreacted.reactions, [])
        const pinned = yield* client.PinMessage({ id: message.id })
        assert.strictEqual(pinned.pinned?.by, anna.userId)
        assert.deepStrictEqual(
          (yield* client.ListPinnedMessages({ id: channelId })).map((item) => item.id),
          [message.id]
        )
        yield* client.UnpinMessage({ id: message.id })
        const followed = yield* client.FollowThread({ id: message.id })
        assert.isTrue(followed.following)
        assert.deepStrictEqual(
          (yield* client.ListFollowedThreads({})).items.map((thread) => thread.message.id),
          [message.id]
        )
        assert.strictEqual((yield* client.MarkThreadRead({ id: message.id })).unreadCount, 0)
        assert.isFalse((yield* client.UnfollowThread({ id: message.id })).following)

        const stranger = yield* signUp("Rpc stranger")
        yield* Ref.set(token, Option.some(stranger.token))
        const id = MessageId.make(message.id)
        const refusals = yield* Effect.all([
          Effect.flip(client.ReactToMessage({ id, emoji: "👍" })),
          Effect.flip(client.RemoveMessageReaction({ id, emoji: "👍" })),
          Effect.flip(client.PinMessage({ id })),
          Effect.flip(client.UnpinMessage({ id })),
          Effect.flip(client.FollowThread({ id })),
          Effect.flip(client.UnfollowThread({ id })),
          Effect.flip(client.MarkThreadRead({ id }))
        ])
        assert.deepStrictEqual(
          refusals.map((error) => error._tag),
          Array.from({ length: 7 }, () => "MessageNotFound")
        )
        const pins = yield* Effect.flip(client.ListPinnedMessages({ id: channelId }))
        assert.strictEqual(pins._tag, "ChannelNotFound")
        assert.deepStrictEqual((yield* client.ListFollowedThreads({})).items, [])
      })
    )
  })
})
