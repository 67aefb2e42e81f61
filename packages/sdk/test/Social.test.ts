import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { signUp } from "../../server/test/support/Actors.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { makeClient, serverEnv } from "./support/TestClient.ts"

layer(TestServer.layer(serverEnv({ RATE_LIMIT_USER: "10000" })), { excludeTestServices: true })(
  "the social graph through the SDK",
  (it) => {
    it.effect("follows, friends, settings, blocks and the home feed, with typed results and errors", () =>
      Effect.gen(function* () {
        const ada = yield* signUp("Ada")
        const bo = yield* signUp("Bo")
        const asAda = yield* makeClient()
        const asBo = yield* makeClient()
        yield* Effect.promise(() => asAda.session.set({ accessToken: ada.token, refreshToken: "unused" }))
        yield* Effect.promise(() => asBo.session.set({ accessToken: bo.token, refreshToken: "unused" }))

        const followed = yield* Effect.promise(() => asAda.follows.follow({ path: { id: bo.userId } }))
        assert.strictEqual(followed.data?.status, "following")
        const asked = yield* Effect.promise(() => asAda.friends.requestFriendship({ path: { id: bo.userId } }))
        assert.strictEqual(asked.data?.status, "requested")
        const accepted = yield* Effect.promise(() => asBo.friends.acceptFriendRequest({ path: { id: ada.userId } }))
        assert.isTrue(accepted.ok)

        const profile = yield* Effect.promise(() => asAda.users.get({ path: { id: bo.userId } }))
        assert.deepStrictEqual(profile.data?.counts, { followers: 1, following: 0, friends: 1, posts: 0 })
        assert.strictEqual(profile.data?.relationship?.friends, true)

        const settings = yield* Effect.promise(() =>
          asBo.settings.updateSettings({ body: { defaultPostAudience: "friends", lastActive: "everyone" } })
        )
        assert.strictEqual(settings.data?.defaultPostAudience, "friends")
        for (const body of ["one", "two", "three"]) {
          yield* Effect.promise(() => asBo.posts.createOnProfile({ body: { body } }))
        }
        const feed: Array<string> = []
        yield* Effect.promise(async () => {
          for await (const post of asAda.feed.homeFeed.all({ query: { limit: 2 } })) feed.push(post.body)
        })
        assert.deepStrictEqual(feed, ["three", "two", "one"])

        const contacts = yield* Effect.promise(() =>
          asAda.contacts.uploadContacts({
            body: { phoneNumbers: ["+14155550100", "000"], emails: ["nobody@example.com"] }
          })
        )
        assert.deepStrictEqual(
          [contacts.data?.received, contacts.data?.invalid, contacts.data?.stored, contacts.data?.matches],
          [3, 1, 1, []]
        )
        const self = yield* Effect.promise(() => asAda.follows.follow({ path: { id: ada.userId } }))
        assert.strictEqual(self.error?._tag, "SelfRelation")
        yield* Effect.promise(() => asBo.blocks.block({ path: { id: ada.userId } }))
        const hidden = yield* Effect.promise(() => asAda.users.get({ path: { id: bo.userId } }))
        assert.strictEqual(hidden.error?._tag, "UserNotFound")
        const after = yield* Effect.promise(() => asAda.feed.homeFeed({}))
        assert.deepStrictEqual(after.data?.items, [])
      })
    )
  }
)
