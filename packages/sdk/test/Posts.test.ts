import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { befriend, createGroup, signUp } from "../../server/test/support/Actors.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { makeClient, serverEnv } from "./support/TestClient.ts"

layer(TestServer.layer(serverEnv({ RATE_LIMIT_USER: "10000" })), { excludeTestServices: true })(
  "posts through the SDK",
  (it) => {
    it.effect("writes with typed entities, posts for chosen friends, lists every page and searches", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const friend = yield* signUp("Friend")
        const groupId = yield* createGroup(owner, { name: "SDK posts" })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))

        const created = yield* Effect.promise(() =>
          client.posts.createInGroup({
            path: { id: groupId },
            body: { title: "Sunday run", body: `Who's in, <@${friend.userId}>? #TrailRun https://example.com/map` }
          })
        )
        if (!created.ok) return assert.fail(JSON.stringify(created.error))
        const mentions = created.data.entities.flatMap((entity) => (entity.type === "mention" ? [entity.userId] : []))
        assert.deepStrictEqual(mentions, [friend.userId])

        yield* befriend(owner, friend)
        const private_ = yield* Effect.promise(() =>
          client.posts.createOnProfile({
            body: { body: "Photos from the weekend", audience: "specific", audienceUserIds: [friend.userId] }
          })
        )
        assert.strictEqual(private_.data?.audience, "specific")

        for (const body of ["second", "third"]) {
          yield* Effect.promise(() => client.posts.createInGroup({ path: { id: groupId }, body: { body } }))
        }
        const listed: Array<string> = []
        yield* Effect.promise(async () => {
          for await (const post of client.posts.listInGroup.all({ path: { id: groupId }, query: { limit: 1 } })) {
            listed.push(post.title ?? post.body)
          }
        })
        assert.deepStrictEqual(listed, ["third", "second", "Sunday run"])

        const found = yield* Effect.promise(() => client.posts.search({ query: { q: "sunday run", groupId } }))
        assert.deepStrictEqual(
          found.data?.items.map((post) => post.id),
          [created.data.id]
        )
        const refused = yield* Effect.promise(() =>
          client.posts.createOnProfile({ body: { body: "x", audience: "specific" } })
        )
        assert.strictEqual(refused.error?._tag, "AudienceNotAllowed")
      })
    )

    it.effect("comments and replies, reactions and bookmarks, with typed results and errors", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const groupId = yield* createGroup(owner, { name: "SDK threads" })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))
        const created = yield* Effect.promise(() =>
          client.posts.createInGroup({ path: { id: groupId }, body: { body: "Pick a date" } })
        )
        if (!created.ok) return assert.fail(JSON.stringify(created.error))
        const postId = created.data.id

        const comment = yield* Effect.promise(() =>
          client.comments.create({ path: { id: postId }, body: { body: "Saturday?" } })
        )
        if (!comment.ok) return assert.fail(JSON.stringify(comment.error))
        const reply = yield* Effect.promise(() =>
          client.comments.create({ path: { id: postId }, body: { body: "Works for me", parentId: comment.data.id } })
        )
        assert.strictEqual(reply.data?.depth, 1)
        const replies: Array<string> = []
        yield* Effect.promise(async () => {
          for await (const item of client.comments.list.all({
            path: { id: postId },
            query: { parentId: comment.data.id }
          })) {
            replies.push(item.body)
          }
        })
        assert.deepStrictEqual(replies, ["Works for me"])

        const reacted = yield* Effect.promise(() =>
          client.reactions.reactToPost({ path: { id: postId }, body: { emoji: "love" } })
        )
        assert.deepStrictEqual([reacted.data?.counts.love, reacted.data?.mine], [1, "love"])
        const who = yield* Effect.promise(() => client.reactions.listPostReactions({ path: { id: postId } }))
        assert.deepStrictEqual(
          who.data?.items.map((reaction) => [reaction.user.id, reaction.emoji]),
          [[owner.userId, "love"]]
        )

        const saved = yield* Effect.promise(() => client.bookmarks.save({ path: { id: postId } }))
        assert.isTrue(saved.ok)
        const bookmarks = yield* Effect.promise(() => client.bookmarks.list({}))
        assert.deepStrictEqual(
          bookmarks.data?.items.map((post) => [post.id, post.viewer.bookmarked]),
          [[postId, true]]
        )

        // Someone outside the group reads the thread but may not join in.
        const stranger = yield* signUp("Stranger")
        yield* Effect.promise(() => client.session.set({ accessToken: stranger.token, refreshToken: "unused" }))
        const refused = yield* Effect.promise(() =>
          client.comments.create({ path: { id: postId }, body: { body: "me too" } })
        )
        assert.strictEqual(refused.error?._tag, "Forbidden")
      })
    )

    it.effect("reports a post and the group's moderators resolve it from their queue", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const reader = yield* signUp("Reader")
        const groupId = yield* createGroup(owner, { name: "SDK moderation" })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))
        const created = yield* Effect.promise(() =>
          client.posts.createInGroup({ path: { id: groupId }, body: { body: "Cheap watches!" } })
        )
        if (!created.ok) return assert.fail(JSON.stringify(created.error))

        yield* Effect.promise(() => client.session.set({ accessToken: reader.token, refreshToken: "unused" }))
        const filed = yield* Effect.promise(() =>
          client.reports.create({ body: { subject: { kind: "post", id: created.data.id }, reason: "spam" } })
        )
        if (!filed.ok) return assert.fail(JSON.stringify(filed.error))
        const again = yield* Effect.promise(() =>
          client.reports.create({ body: { subject: { kind: "post", id: created.data.id }, reason: "spam" } })
        )
        assert.strictEqual(again.error?._tag, "AlreadyReported")

        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))
        const queue: Array<string> = []
        yield* Effect.promise(async () => {
          for await (const report of client.reports.listInGroup.all({ path: { id: groupId } })) queue.push(report.id)
        })
        assert.deepStrictEqual(queue, [filed.data.id])
        const resolved = yield* Effect.promise(() =>
          client.reports.resolve({ path: { id: filed.data.id }, body: { action: "remove" } })
        )
        assert.strictEqual(resolved.data?.status, "removed")
        const gone = yield* Effect.promise(() => client.posts.get({ path: { id: created.data.id } }))
        assert.strictEqual(gone.error?._tag, "PostNotFound")
      })
    )
  }
)
