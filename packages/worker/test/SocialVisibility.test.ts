import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { befriend, follow, signUp, type TestUser } from "../../server/test/support/Actors.ts"
import { eventually } from "../../server/test/support/Eventually.ts"
import { call, type JsonResponse } from "../../server/test/support/Http.ts"
import { openSse } from "../../server/test/support/SseClient.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../src/Worker.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

/** The server and a worker in one process, on one database: what `npm start` runs. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(env)))

type Audience = "public" | "followers" | "friends" | "specific"
type Viewer = "stranger" | "follower" | "friend" | "chosen" | "blockedByAuthor" | "blockingAuthor"

const audiences: ReadonlyArray<Audience> = ["public", "followers", "friends", "specific"]
const viewers: ReadonlyArray<Viewer> = ["stranger", "follower", "friend", "chosen", "blockedByAuthor", "blockingAuthor"]

/** Who may see a profile post of each audience: the one rule every read path must agree with. */
const sees: Record<Audience, ReadonlySet<Viewer>> = {
  public: new Set(["stranger", "follower", "friend", "chosen"]),
  followers: new Set(["follower", "friend", "chosen"]),
  friends: new Set(["friend", "chosen"]),
  specific: new Set(["chosen"])
}

/** Whose home feed the author's posts reach at all: people who follow or befriended them. */
const feedReaders: ReadonlySet<Viewer> = new Set(["follower", "friend", "chosen"])

const ok = (response: JsonResponse, status = 200) => {
  assert.strictEqual(response.status, status, response.text)
  return response
}

const ids = (response: JsonResponse) =>
  (ok(response).body.items as ReadonlyArray<{ id: string }>).map((item) => item.id)

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

layer(ServerAndWorker, { excludeTestServices: true, timeout: "120 seconds" })("Profile post visibility", (it) => {
  it.effect("for every audience and relationship, every read path agrees on who sees a post", () =>
    Effect.gen(function* () {
      const author = yield* signUp("Author")
      const people: Record<Viewer, TestUser> = {
        stranger: yield* signUp("Stranger"),
        follower: yield* signUp("Follower"),
        friend: yield* signUp("Friend"),
        chosen: yield* signUp("Chosen"),
        blockedByAuthor: yield* signUp("Blocked"),
        blockingAuthor: yield* signUp("Blocking")
      }
      yield* follow(people.follower, author)
      yield* befriend(author, people.friend)
      yield* befriend(people.chosen, author)
      // Both follow the author before the blocks, which end that.
      yield* follow(people.blockedByAuthor, author)
      yield* follow(people.blockingAuthor, author)
      ok(yield* call("PUT", `/api/v1/users/${people.blockedByAuthor.userId}/block`, { token: author.token }), 204)
      ok(yield* call("PUT", `/api/v1/users/${author.userId}/block`, { token: people.blockingAuthor.token }), 204)

      // One post per audience, each with a word of its own (for search) and mentioning everyone.
      const word = `vis${Date.now().toString(36)}`
      const mentions = viewers.map((viewer) => `<@${people[viewer].userId}>`).join(" ")
      const created = new Map<Audience, string>()
      for (const audience of audiences) {
        const response = yield* call("POST", "/api/v1/me/posts", {
          token: author.token,
          body: {
            body: `${word}${audience} for ${mentions}`,
            audience,
            ...(audience === "specific" ? { audienceUserIds: [people.chosen.userId] } : {})
          }
        })
        created.set(audience, String(ok(response, 201).body.id))
      }
      const postOf = (audience: Audience) => {
        const postId = created.get(audience)
        if (postId === undefined) return assert.fail(`no ${audience} post`)
        return postId
      }
      yield* drained("NotifyPostEvent")

      const failures: Array<string> = []
      const expect = (viewer: Viewer, audience: Audience, path: string, got: boolean, wanted: boolean) => {
        if (got !== wanted) failures.push(`${viewer} × ${audience} via ${path}: ${got ? "sees it" : "does not"}`)
      }
      for (const viewer of viewers) {
        const token = people[viewer].token
        const profile = yield* call("GET", `/api/v1/users/${author.userId}/posts`, { token })
        const onProfile = profile.status === 200 ? ids(profile) : []
        if (viewer.startsWith("block")) assert.strictEqual(profile.status, 404, `${viewer}: the profile is gone`)
        const feed = ids(yield* call("GET", "/api/v1/me/feed", { token }))
        const notified = (
          ok(yield* call("GET", "/api/v1/me/notifications", { token })).body.items as ReadonlyArray<{
            type: string
            data: { postId?: string }
          }>
        ).flatMap((item) =>
          item.type === "post.mentioned" && item.data.postId !== undefined ? [item.data.postId] : []
        )
        for (const audience of audiences) {
          const postId = postOf(audience)
          const visible = sees[audience].has(viewer)
          const direct = yield* call("GET", `/api/v1/posts/${postId}`, { token })
          expect(viewer, audience, "get", direct.status === 200, visible)
          if (direct.status !== 200) assert.strictEqual(direct.body._tag, "PostNotFound")
          expect(viewer, audience, "the author's posts", onProfile.includes(postId), visible)
          expect(viewer, audience, "the home feed", feed.includes(postId), visible && feedReaders.has(viewer))
          const found = yield* call("GET", `/api/v1/posts?q=${word}${audience}`, { token })
          expect(viewer, audience, "search", ids(found).includes(postId), visible)
          const comments = yield* call("GET", `/api/v1/posts/${postId}/comments`, { token })
          expect(viewer, audience, "comments", comments.status === 200, visible)
          const reactions = yield* call("GET", `/api/v1/posts/${postId}/reactions`, { token })
          expect(viewer, audience, "reactions", reactions.status === 200, visible)
          const saved = yield* call("PUT", `/api/v1/posts/${postId}/bookmark`, { token })
          expect(viewer, audience, "bookmark", saved.status === 204, visible)
          expect(viewer, audience, "mention notification", notified.includes(postId), visible)
          const stream = yield* Effect.scoped(
            Effect.map(openSse(`/api/v1/stream?topics=post:${postId}`, { token }), (connection) => connection.status)
          )
          expect(viewer, audience, "the stream", stream === 200, visible)
        }
        const bookmarks = ids(yield* call("GET", "/api/v1/me/bookmarks", { token }))
        for (const audience of audiences) {
          expect(viewer, audience, "bookmarks", bookmarks.includes(postOf(audience)), sees[audience].has(viewer))
        }
      }
      assert.deepStrictEqual(failures, [])

      // Ending the relationship hides at once what it showed, everywhere: the friend is unfriended.
      ok(yield* call("DELETE", `/api/v1/users/${people.friend.userId}/friendship`, { token: author.token }), 204)
      const token = people.friend.token
      assert.strictEqual((yield* call("GET", `/api/v1/posts/${postOf("friends")}`, { token })).status, 404)
      assert.isFalse(ids(yield* call("GET", "/api/v1/me/feed", { token })).includes(postOf("public")))
      assert.isFalse(ids(yield* call("GET", "/api/v1/me/bookmarks", { token })).includes(postOf("friends")))
      assert.isTrue(ids(yield* call("GET", "/api/v1/me/bookmarks", { token })).includes(postOf("public")))
    })
  )
})
