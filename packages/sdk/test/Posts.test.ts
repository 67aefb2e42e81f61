import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createGroup, signUp } from "../../server/test/support/Actors.ts"
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
  }
)
