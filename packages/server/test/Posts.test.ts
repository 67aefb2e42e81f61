import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { befriend, createGroup, follow, signUp, siteAdmin, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface ListedPost {
  readonly id: string
  readonly title: string | null
  readonly body: string
  readonly pinned: boolean
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag)
  return response
}

const ids = (response: JsonResponse) => (response.body.items as ReadonlyArray<ListedPost>).map((post) => post.id)

const post = (author: TestUser, groupId: string, body: string, title?: string) =>
  Effect.map(
    call("POST", `/api/v1/groups/${groupId}/posts`, {
      token: author.token,
      body: title === undefined ? { body } : { title, body }
    }),
    (response) => String(expectStatus(response, 201).body.id)
  )

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Posts", (it) => {
  it.effect("members post in a group, which counts them; mentions, hashtags and links come back as entities", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olive")
      const member = yield* signUp("Mark")
      const outsider = yield* signUp("Otto")
      const groupId = yield* createGroup(owner, { name: "Trail runners" })
      yield* join(member, groupId)
      const body = `Thanks <@${owner.userId}>! Sunday run #TrailRun https://example.com/map, who's in? <@00000000-0000-4000-8000-000000000000>`
      const created = expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/posts`, {
          token: member.token,
          body: { title: "Sunday", body }
        }),
        201
      )
      assert.deepStrictEqual(created.body.place, { kind: "group", groupId })
      assert.strictEqual(created.body.audience, null)
      assert.strictEqual((created.body.author as { nickname: string }).nickname, "Mark")
      const entities = created.body.entities as ReadonlyArray<Record<string, unknown>>
      assert.deepStrictEqual(
        entities.map((entity) => [entity.type, body.slice(Number(entity.start), Number(entity.end))]),
        [
          ["mention", `<@${owner.userId}>`],
          ["hashtag", "#TrailRun"],
          ["link", "https://example.com/map"]
        ],
        "a mention of nobody is not an entity"
      )
      assert.strictEqual(entities[0]?.userId, owner.userId)
      assert.strictEqual(entities[1]?.tag, "trailrun")
      assert.deepStrictEqual(created.body.viewer, {
        bookmarked: false,
        canEdit: true,
        canDelete: true,
        canModerate: false
      })
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.postCount, 1)

      expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/posts`, { token: outsider.token, body: { body: "Hello?" } }),
        403,
        "Forbidden"
      )
      const hidden = yield* createGroup(owner, { name: "Hidden runners", visibility: "private" })
      expectStatus(
        yield* call("POST", `/api/v1/groups/${hidden}/posts`, { token: outsider.token, body: { body: "Hello?" } }),
        404,
        "GroupNotFound"
      )
      for (const bad of [{ body: "" }, { body: "x".repeat(20_001) }, { title: " ", body: "ok" }, {}]) {
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, { token: member.token, body: bad }),
          400,
          "InvalidRequest"
        )
      }
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.postCount, 1)
    })
  )

  it.effect("a post in a private group is invisible to outsiders on every path", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Priya")
      const outsider = yield* signUp("Omar")
      const groupId = yield* createGroup(owner, { name: "Secret recipes", visibility: "private" })
      const postId = yield* post(owner, groupId, "The sauce needs saffron", "Secret sauce")
      const publicGroup = yield* createGroup(owner, { name: "Open recipes" })
      const visibleId = yield* post(owner, publicGroup, "The sauce needs time", "Open sauce")

      for (const token of [undefined, outsider.token]) {
        expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token }), 404, "PostNotFound")
        expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/posts`, { token }), 404, "GroupNotFound")
        assert.deepStrictEqual(ids(yield* call("GET", `/api/v1/users/${owner.userId}/posts`, { token })), [visibleId])
        assert.deepStrictEqual(ids(yield* call("GET", "/api/v1/posts?q=sauce", { token })), [visibleId])
        expectStatus(
          yield* call("PATCH", `/api/v1/posts/${postId}`, { token: outsider.token, body: { body: "mine now" } }),
          404,
          "PostNotFound"
        )
      }
      assert.deepStrictEqual(
        new Set(ids(yield* call("GET", "/api/v1/posts?q=sauce", { token: owner.token }))),
        new Set([postId, visibleId])
      )
      const admin = yield* siteAdmin
      expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: admin.token }), 200)
    })
  )

  it.effect(
    "profile posts reach their audience: public, followers (and friends), friends, and friends named one by one",
    () =>
      Effect.gen(function* () {
        const author = yield* signUp("Ava")
        const named = yield* signUp("Noor")
        const other = yield* signUp("Ole")
        const follower = yield* signUp("Fay")
        const friend = yield* signUp("Fred")
        yield* befriend(author, named)
        yield* befriend(friend, author)
        yield* follow(follower, author)
        const create = (body: Record<string, unknown>) =>
          Effect.map(call("POST", "/api/v1/me/posts", { token: author.token, body }), (response) =>
            String(expectStatus(response, 201).body.id)
          )
        const open = yield* create({ body: "Hello world" })
        const chosen = yield* create({ body: "Just for you", audience: "specific", audienceUserIds: [named.userId] })
        const friends = yield* create({ body: "Friends only", audience: "friends" })
        const followers = yield* create({ body: "Followers only", audience: "followers" })

        const sees = (viewer: TestUser | undefined) =>
          Effect.map(call("GET", `/api/v1/users/${author.userId}/posts`, { token: viewer?.token }), ids)
        assert.deepStrictEqual(yield* sees(undefined), [open])
        assert.deepStrictEqual(yield* sees(other), [open])
        assert.deepStrictEqual(yield* sees(follower), [followers, open])
        assert.deepStrictEqual(yield* sees(friend), [followers, friends, open])
        assert.deepStrictEqual(yield* sees(named), [followers, friends, chosen, open])
        assert.deepStrictEqual(yield* sees(author), [followers, friends, chosen, open])
        expectStatus(yield* call("GET", `/api/v1/posts/${chosen}`, { token: other.token }), 404, "PostNotFound")
        expectStatus(yield* call("GET", `/api/v1/posts/${chosen}`, { token: friend.token }), 404, "PostNotFound")
        expectStatus(yield* call("GET", `/api/v1/posts/${chosen}`, { token: named.token }), 200)
        expectStatus(yield* call("GET", `/api/v1/posts/${friends}`, { token: follower.token }), 404, "PostNotFound")
        expectStatus(yield* call("GET", `/api/v1/posts/${open}`), 200)
        // Only friends may be named.
        expectStatus(
          yield* call("POST", "/api/v1/me/posts", {
            token: author.token,
            body: { body: "x", audience: "specific", audienceUserIds: [follower.userId] }
          }),
          400,
          "AudienceNotAllowed"
        )

        expectStatus(
          yield* call("POST", "/api/v1/me/posts", { token: author.token, body: { body: "x", audience: "specific" } }),
          400,
          "AudienceNotAllowed"
        )
        expectStatus(
          yield* call("POST", "/api/v1/me/posts", {
            token: author.token,
            body: { body: "x", audience: "public", audienceUserIds: [named.userId] }
          }),
          400,
          "AudienceNotAllowed"
        )
        // Narrowing the audience hides it at once.
        expectStatus(
          yield* call("PATCH", `/api/v1/posts/${chosen}`, {
            token: author.token,
            body: { audience: "specific", audienceUserIds: [friend.userId] }
          }),
          200
        )
        expectStatus(yield* call("GET", `/api/v1/posts/${chosen}`, { token: named.token }), 404, "PostNotFound")
      })
  )

  it.effect(
    "only the author edits; each edit keeps the earlier version, which the author and moderators may read",
    () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const admin = yield* signUp("Admin")
        const member = yield* signUp("Writer")
        const reader = yield* signUp("Reader")
        const groupId = yield* createGroup(owner, { name: "Editors" })
        for (const user of [admin, member, reader]) yield* join(user, groupId)
        yield* call("PATCH", `/api/v1/groups/${groupId}/members/${admin.userId}`, {
          token: owner.token,
          body: { role: "admin" }
        })
        const postId = yield* post(member, groupId, "First draft", "Draft")
        const edited = expectStatus(
          yield* call("PATCH", `/api/v1/posts/${postId}`, {
            token: member.token,
            body: { title: "Final", body: "Final words #done" }
          }),
          200
        )
        assert.strictEqual(edited.body.title, "Final")
        assert.isString(edited.body.editedAt)
        assert.deepStrictEqual(
          (edited.body.entities as ReadonlyArray<{ type: string }>).map((entity) => entity.type),
          ["hashtag"]
        )
        for (const who of [admin, reader, owner]) {
          expectStatus(
            yield* call("PATCH", `/api/v1/posts/${postId}`, { token: who.token, body: { body: "rewritten" } }),
            403,
            "Forbidden"
          )
        }
        expectStatus(
          yield* call("PATCH", `/api/v1/posts/${postId}`, { token: member.token, body: { audience: "public" } }),
          400,
          "AudienceNotAllowed"
        )
        const versions = expectStatus(
          yield* call("GET", `/api/v1/posts/${postId}/versions`, { token: admin.token }),
          200
        )
        assert.deepStrictEqual(
          (versions.json as ReadonlyArray<{ title: string; body: string }>).map((version) => [
            version.title,
            version.body
          ]),
          [["Draft", "First draft"]]
        )
        expectStatus(yield* call("GET", `/api/v1/posts/${postId}/versions`, { token: member.token }), 200)
        expectStatus(yield* call("GET", `/api/v1/posts/${postId}/versions`, { token: reader.token }), 403, "Forbidden")
      })
  )

  it.effect("the author, the group's moderators and site admins delete; a deleted post is gone and uncounted", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Member")
      const other = yield* signUp("Other")
      const groupId = yield* createGroup(owner, { name: "Tidy" })
      yield* join(member, groupId)
      yield* join(other, groupId)
      const first = yield* post(member, groupId, "one")
      const second = yield* post(member, groupId, "two")
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.postCount, 2)
      expectStatus(yield* call("DELETE", `/api/v1/posts/${first}`, { token: other.token }), 403, "Forbidden")
      expectStatus(yield* call("DELETE", `/api/v1/posts/${first}`, { token: owner.token }), 204)
      expectStatus(yield* call("DELETE", `/api/v1/posts/${first}`, { token: owner.token }), 404, "PostNotFound")
      expectStatus(yield* call("DELETE", `/api/v1/posts/${second}`, { token: member.token }), 204)
      expectStatus(yield* call("GET", `/api/v1/posts/${second}`, { token: member.token }), 404, "PostNotFound")
      assert.deepStrictEqual(ids(yield* call("GET", `/api/v1/groups/${groupId}/posts`, { token: member.token })), [])
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.postCount, 0)
    })
  )

  it.effect("moderators pin up to three posts, listed first; comments can be locked", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Member")
      const groupId = yield* createGroup(owner, { name: "Pinboard" })
      yield* join(member, groupId)
      const posts: Array<string> = []
      for (const body of ["a", "b", "c", "d", "e"]) posts.push(yield* post(member, groupId, body))
      const [a, b, c, d, e] = posts
      expectStatus(yield* call("PUT", `/api/v1/posts/${a}/pin`, { token: member.token }), 403, "Forbidden")
      for (const id of [a, b, c]) {
        const pinned = expectStatus(yield* call("PUT", `/api/v1/posts/${id}/pin`, { token: owner.token }), 200)
        assert.isTrue(pinned.body.pinned)
      }
      expectStatus(yield* call("PUT", `/api/v1/posts/${d}/pin`, { token: owner.token }), 409, "PinLimitReached")
      expectStatus(yield* call("PUT", `/api/v1/posts/${a}/pin`, { token: owner.token }), 200)
      expectStatus(yield* call("DELETE", `/api/v1/posts/${b}/pin`, { token: owner.token }), 200)
      expectStatus(yield* call("PUT", `/api/v1/posts/${d}/pin`, { token: owner.token }), 200)

      // Pinned posts first (most recently pinned first), on the first page only; then the newest.
      const first = yield* call("GET", `/api/v1/groups/${groupId}/posts?limit=1`)
      assert.deepStrictEqual(ids(first), [d, c, a, e])
      const next = yield* call(
        "GET",
        `/api/v1/groups/${groupId}/posts?limit=1&cursor=${encodeURIComponent(String(first.body.nextCursor))}`
      )
      assert.deepStrictEqual(ids(next), [b])
      assert.strictEqual(next.body.nextCursor, null)

      const profilePost = String(
        expectStatus(yield* call("POST", "/api/v1/me/posts", { token: member.token, body: { body: "mine" } }), 201).body
          .id
      )
      expectStatus(yield* call("PUT", `/api/v1/posts/${profilePost}/pin`, { token: member.token }), 403, "Forbidden")

      expectStatus(yield* call("PUT", `/api/v1/posts/${e}/comments-lock`, { token: owner.token }), 200)
      const locked = expectStatus(yield* call("GET", `/api/v1/posts/${e}`), 200)
      assert.isTrue(locked.body.commentsLocked)
      const outsider = yield* signUp("Outsider")
      yield* join(outsider, groupId)
      expectStatus(
        yield* call("DELETE", `/api/v1/posts/${e}/comments-lock`, { token: outsider.token }),
        403,
        "Forbidden"
      )
      expectStatus(yield* call("DELETE", `/api/v1/posts/${e}/comments-lock`, { token: member.token }), 200)
    })
  )

  it.effect(
    "search finds words by prefix in titles and bodies, best first, filtered by group or author, page by page",
    () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Searcher")
        const other = yield* signUp("Other")
        const groupId = yield* createGroup(owner, { name: "Search club" })
        yield* join(other, groupId)
        const titled = yield* post(owner, groupId, "Bring water", "Kayaking on the lake")
        const mentioned = yield* post(other, groupId, "We could go kayaking again soon")
        yield* post(owner, groupId, "Nothing to see here")
        const found = yield* call("GET", "/api/v1/posts?q=kayak")
        assert.deepStrictEqual(ids(found), [titled, mentioned])
        assert.deepStrictEqual(ids(yield* call("GET", `/api/v1/posts?q=kayak&authorId=${other.userId}`)), [mentioned])
        assert.deepStrictEqual(ids(yield* call("GET", `/api/v1/posts?q=kayak&groupId=${groupId}`)), [titled, mentioned])
        const page = yield* call("GET", "/api/v1/posts?q=kayak&limit=1")
        assert.deepStrictEqual(ids(page), [titled])
        const rest = yield* call(
          "GET",
          `/api/v1/posts?q=kayak&limit=1&cursor=${encodeURIComponent(String(page.body.nextCursor))}`
        )
        assert.deepStrictEqual(ids(rest), [mentioned])
        expectStatus(yield* call("GET", "/api/v1/posts"), 400, "InvalidRequest")
      })
  )
})
