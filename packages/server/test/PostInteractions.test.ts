import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { befriend, createGroup, signUp, siteAdmin, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface ListedComment {
  readonly id: string
  readonly replyCount: number
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const items = <A>(response: JsonResponse) => expectStatus(response, 200).body.items as ReadonlyArray<A>

const post = (author: TestUser, groupId: string, body: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/posts`, { token: author.token, body: { body } }), (response) =>
    String(expectStatus(response, 201).body.id)
  )

const profilePost = (author: TestUser, body: Record<string, unknown>) =>
  Effect.map(call("POST", "/api/v1/me/posts", { token: author.token, body }), (response) =>
    String(expectStatus(response, 201).body.id)
  )

const comment = (user: TestUser, postId: string, body: string, parentId?: string) =>
  Effect.map(
    call("POST", `/api/v1/posts/${postId}/comments`, {
      token: user.token,
      body: parentId === undefined ? { body } : { body, parentId }
    }),
    (response): Record<string, unknown> & { readonly id: string } => {
      const created = expectStatus(response, 201).body
      return { ...created, id: String(created.id) }
    }
  )

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

const commentCount = (postId: string, token?: string) =>
  Effect.map(call("GET", `/api/v1/posts/${postId}`, { token }), (response) =>
    Number(expectStatus(response, 200).body.commentCount)
  )

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Post interactions", (it) => {
  it.effect("comments thread two levels deep; deeper replies join the deepest level; counts follow", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Olga")
      const member = yield* signUp("Milo")
      const groupId = yield* createGroup(owner, { name: "Book club" })
      yield* join(member, groupId)
      const postId = yield* post(owner, groupId, "What are we reading next?")

      const top = yield* comment(member, postId, `Dune, says <@${owner.userId}> #scifi`)
      assert.deepInclude(top, { parentId: null, depth: 0, replyCount: 0, deleted: false })
      assert.deepStrictEqual(
        (top.entities as ReadonlyArray<{ type: string }>).map((entity) => entity.type),
        ["mention", "hashtag"]
      )
      const reply = yield* comment(owner, postId, "Again?", top.id)
      assert.deepInclude(reply, { parentId: top.id, depth: 1 })
      const deep = yield* comment(member, postId, "Yes, again", reply.id)
      assert.deepInclude(deep, { parentId: reply.id, depth: 2 })
      const deeper = yield* comment(owner, postId, "Fine", deep.id)
      assert.deepInclude(deeper, { parentId: reply.id, depth: 2 })
      const second = yield* comment(owner, postId, "Or Hyperion")
      assert.strictEqual(yield* commentCount(postId), 5)

      // Top-level comments, oldest first by default, page by page, each with its reply count.
      const first = yield* call("GET", `/api/v1/posts/${postId}/comments?limit=1`)
      assert.deepStrictEqual(
        items<ListedComment>(first).map((c) => [c.id, c.replyCount]),
        [[top.id, 1]]
      )
      const next = yield* call(
        "GET",
        `/api/v1/posts/${postId}/comments?limit=1&cursor=${encodeURIComponent(String(first.body.nextCursor))}`
      )
      assert.deepStrictEqual(
        items<ListedComment>(next).map((c) => c.id),
        [second.id]
      )
      assert.strictEqual(next.body.nextCursor, null)
      assert.deepStrictEqual(
        items<ListedComment>(yield* call("GET", `/api/v1/posts/${postId}/comments?sort=newest`)).map((c) => c.id),
        [second.id, top.id]
      )
      // A cursor of one sort is refused by another.
      expectStatus(
        yield* call(
          "GET",
          `/api/v1/posts/${postId}/comments?sort=newest&cursor=${encodeURIComponent(String(first.body.nextCursor))}`
        ),
        400,
        "InvalidCursor"
      )
      const replies = items<ListedComment>(yield* call("GET", `/api/v1/posts/${postId}/comments?parentId=${reply.id}`))
      assert.deepStrictEqual(
        replies.map((c) => c.id),
        [deep.id, deeper.id]
      )

      // A parent must be a comment on the same post.
      const otherPost = yield* post(owner, groupId, "Another thread")
      expectStatus(
        yield* call("POST", `/api/v1/posts/${otherPost}/comments`, {
          token: owner.token,
          body: { body: "misplaced", parentId: top.id }
        }),
        404,
        "CommentNotFound"
      )
      expectStatus(yield* call("GET", `/api/v1/posts/${otherPost}/comments?parentId=${top.id}`), 404, "CommentNotFound")
      assert.strictEqual(yield* commentCount(otherPost), 0)
    })
  )

  it.effect("comment and reply counts stay exact when many comment and delete at once", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const groupId = yield* createGroup(owner, { name: "Busy thread" })
      const postId = yield* post(owner, groupId, "Say something")
      const top = yield* comment(owner, postId, "Start here")
      const written = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, index) => index),
        (index) => comment(owner, postId, `Comment ${index}`, index % 2 === 0 ? top.id : undefined),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(yield* commentCount(postId), 21)
      const deleted = yield* Effect.forEach(
        written.slice(0, 6),
        (gone) => call("DELETE", `/api/v1/comments/${gone.id}`, { token: owner.token }),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        deleted.map((response) => response.status),
        [204, 204, 204, 204, 204, 204]
      )
      assert.strictEqual(yield* commentCount(postId), 15)
      const [first] = items<ListedComment>(yield* call("GET", `/api/v1/posts/${postId}/comments?limit=1`))
      assert.deepStrictEqual([first?.id, first?.replyCount], [top.id, 7])
      const replies = items<ListedComment>(yield* call("GET", `/api/v1/posts/${postId}/comments?parentId=${top.id}`))
      assert.strictEqual(replies.length, 7)
    })
  )

  it.effect("a deleted comment with replies stays as a placeholder until its last reply goes", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const alice = yield* signUp("Alice")
      const bob = yield* signUp("Bob")
      const groupId = yield* createGroup(owner, { name: "Garden" })
      yield* join(alice, groupId)
      yield* join(bob, groupId)
      const postId = yield* post(alice, groupId, "Tomatoes or peppers?")
      const top = yield* comment(bob, postId, "Tomatoes")
      const reply = yield* comment(owner, postId, "Agreed", top.id)

      // Only its author edits a comment; the post's author, not its commenters, may delete others'.
      expectStatus(
        yield* call("PATCH", `/api/v1/comments/${top.id}`, { token: alice.token, body: { body: "Peppers" } }),
        403,
        "Forbidden"
      )
      const edited = expectStatus(
        yield* call("PATCH", `/api/v1/comments/${top.id}`, { token: bob.token, body: { body: "Tomatoes!" } }),
        200
      )
      assert.strictEqual(edited.body.body, "Tomatoes!")
      assert.isNotNull(edited.body.editedAt)
      expectStatus(yield* call("DELETE", `/api/v1/comments/${reply.id}`, { token: bob.token }), 403, "Forbidden")

      expectStatus(yield* call("DELETE", `/api/v1/comments/${top.id}`, { token: alice.token }), 204)
      const [placeholder] = items<Record<string, unknown>>(yield* call("GET", `/api/v1/posts/${postId}/comments`))
      assert.deepInclude(placeholder, { id: top.id, deleted: true, body: "", author: null, replyCount: 1 })
      assert.strictEqual(yield* commentCount(postId), 1)
      expectStatus(
        yield* call("PATCH", `/api/v1/comments/${top.id}`, { token: bob.token, body: { body: "back" } }),
        404,
        "CommentNotFound"
      )
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, {
          token: bob.token,
          body: { body: "to nothing", parentId: top.id }
        }),
        404,
        "CommentNotFound"
      )

      // The group's owner moderates: the last reply goes, and the placeholder with it.
      expectStatus(yield* call("DELETE", `/api/v1/comments/${reply.id}`, { token: owner.token }), 204)
      assert.deepStrictEqual(items(yield* call("GET", `/api/v1/posts/${postId}/comments`)), [])
      assert.strictEqual(yield* commentCount(postId), 0)
      expectStatus(
        yield* call("DELETE", `/api/v1/comments/${reply.id}`, { token: owner.token }),
        404,
        "CommentNotFound"
      )
    })
  )

  it.effect("who may comment: members of the group, not while comments are locked, never unseen", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const member = yield* signUp("Member")
      const passerby = yield* signUp("Passerby")
      const openGroup = yield* createGroup(owner, { name: "Open hikes" })
      yield* join(member, openGroup)
      const postId = yield* post(member, openGroup, "Saturday hike")

      // Anyone sees the comments on a public group's post; only members write them.
      yield* comment(member, postId, "I'll bring snacks")
      assert.strictEqual(items(yield* call("GET", `/api/v1/posts/${postId}/comments`)).length, 1)
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: passerby.token, body: { body: "me too" } }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, { body: { body: "anonymous" } }),
        401,
        "Unauthorized"
      )

      expectStatus(yield* call("PUT", `/api/v1/posts/${postId}/comments-lock`, { token: owner.token }), 200)
      const other = yield* signUp("Other")
      yield* join(other, openGroup)
      expectStatus(
        yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: other.token, body: { body: "late" } }),
        409,
        "CommentsLocked"
      )
      // Those who lock comments may still write one (a closing word).
      yield* comment(owner, postId, "Closed: see you there")
      yield* comment(member, postId, "Thanks all")

      // A private group's posts and comments do not exist for outsiders.
      const closed = yield* createGroup(owner, { name: "Inner circle", visibility: "private" })
      const secret = yield* post(owner, closed, "Members only")
      const hidden = yield* comment(owner, secret, "Hidden words")
      for (const token of [undefined, passerby.token]) {
        expectStatus(yield* call("GET", `/api/v1/posts/${secret}/comments`, { token }), 404, "PostNotFound")
        expectStatus(yield* call("GET", `/api/v1/comments/${hidden.id}/reactions`, { token }), 404, "CommentNotFound")
      }
      expectStatus(
        yield* call("POST", `/api/v1/posts/${secret}/comments`, { token: passerby.token, body: { body: "hi" } }),
        404,
        "PostNotFound"
      )
      expectStatus(yield* call("DELETE", `/api/v1/comments/${hidden.id}`, { token: passerby.token }), 404)
      const admin = yield* siteAdmin
      assert.strictEqual(
        items(yield* call("GET", `/api/v1/posts/${secret}/comments`, { token: admin.token })).length,
        1
      )

      // On a profile post: anyone signed in who may see it; a `specific` audience only those named.
      const named = yield* signUp("Named")
      yield* befriend(owner, named)
      const onlyNamed = yield* profilePost(owner, {
        body: "For you",
        audience: "specific",
        audienceUserIds: [named.userId]
      })
      yield* comment(named, onlyNamed, "Thank you")
      expectStatus(
        yield* call("POST", `/api/v1/posts/${onlyNamed}/comments`, { token: passerby.token, body: { body: "?" } }),
        404,
        "PostNotFound"
      )
      const open = yield* profilePost(owner, { body: "Hello world" })
      yield* comment(passerby, open, "Hello")
    })
  )

  it.effect("one reaction per person, replaced by reacting again; counts stay exact under concurrency", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const groupId = yield* createGroup(owner, { name: "Reactors" })
      const postId = yield* post(owner, groupId, "React to me")
      const people = yield* Effect.forEach(
        Array.from({ length: 20 }, (_, index) => `Reactor ${index}`),
        (name) => Effect.tap(signUp(name), (user) => join(user, groupId)),
        { concurrency: 4 }
      )

      const liked = expectStatus(
        yield* call("PUT", `/api/v1/posts/${postId}/reaction`, { token: owner.token, body: { emoji: "like" } }),
        200
      )
      assert.deepStrictEqual(liked.body, {
        counts: { like: 1, love: 0, laugh: 0, wow: 0, sad: 0, angry: 0 },
        mine: "like"
      })
      const loved = expectStatus(
        yield* call("PUT", `/api/v1/posts/${postId}/reaction`, { token: owner.token, body: { emoji: "love" } }),
        200
      )
      assert.deepStrictEqual(loved.body, {
        counts: { like: 0, love: 1, laugh: 0, wow: 0, sad: 0, angry: 0 },
        mine: "love"
      })

      // Twenty react at once, then the first ten change their minds at once, twice over.
      const statuses = (responses: ReadonlyArray<JsonResponse>) => responses.map((response) => response.status)
      const all = (responses: ReadonlyArray<JsonResponse>) =>
        assert.deepStrictEqual(
          statuses(responses),
          responses.map(() => 200),
          responses.map((response) => response.text).join("\n")
        )
      all(
        yield* Effect.forEach(
          people,
          (user) => call("PUT", `/api/v1/posts/${postId}/reaction`, { token: user.token, body: { emoji: "like" } }),
          { concurrency: "unbounded" }
        )
      )
      all(
        yield* Effect.forEach(
          people.slice(0, 10).flatMap((user) => [user, user]),
          (user, index) =>
            call("PUT", `/api/v1/posts/${postId}/reaction`, {
              token: user.token,
              body: { emoji: index % 2 === 0 ? "wow" : "laugh" }
            }),
          { concurrency: "unbounded" }
        )
      )
      all(
        yield* Effect.forEach(
          people.slice(15),
          (user) => call("DELETE", `/api/v1/posts/${postId}/reaction`, { token: user.token }),
          { concurrency: "unbounded" }
        )
      )
      const shown = expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: owner.token }), 200).body
        .reactions as { counts: Record<string, number>; mine: string | null }
      assert.strictEqual(shown.mine, "love")
      const counts = shown.counts
      assert.strictEqual(counts.like, 5)
      assert.strictEqual(counts.love, 1)
      assert.strictEqual((counts.wow ?? 0) + (counts.laugh ?? 0), 10)
      // The counts agree with who is listed as having reacted.
      const everyone: Array<{ user: { id: string }; emoji: string }> = []
      let cursor: string | null = ""
      while (cursor !== null) {
        const page: JsonResponse = yield* call(
          "GET",
          `/api/v1/posts/${postId}/reactions?limit=4${cursor === "" ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
        )
        everyone.push(...items<{ user: { id: string }; emoji: string }>(page))
        cursor = page.body.nextCursor === null ? null : String(page.body.nextCursor)
      }
      assert.strictEqual(everyone.length, 16)
      assert.strictEqual(new Set(everyone.map((reaction) => reaction.user.id)).size, 16)
      for (const emoji of ["like", "love", "wow", "laugh"]) {
        assert.strictEqual(everyone.filter((reaction) => reaction.emoji === emoji).length, counts[emoji], emoji)
      }
      const wows = items<{ emoji: string }>(yield* call("GET", `/api/v1/posts/${postId}/reactions?emoji=wow`))
      assert.strictEqual(wows.length, counts.wow)

      // Taking back a reaction you never left changes nothing; a bad emoji is a 400.
      const nothing = yield* call("DELETE", `/api/v1/posts/${postId}/reaction`, { token: people[19]?.token })
      assert.strictEqual(expectStatus(nothing, 200).body.mine, null)
      expectStatus(
        yield* call("PUT", `/api/v1/posts/${postId}/reaction`, { token: owner.token, body: { emoji: "poop" } }),
        400,
        "InvalidRequest"
      )
      const outsider = yield* signUp("Outsider")
      expectStatus(
        yield* call("PUT", `/api/v1/posts/${postId}/reaction`, { token: outsider.token, body: { emoji: "like" } }),
        403,
        "Forbidden"
      )

      // Comments take reactions too, and show them.
      const said = yield* comment(owner, postId, "Thanks everyone")
      const onComment = expectStatus(
        yield* call("PUT", `/api/v1/comments/${said.id}/reaction`, {
          token: people[0]?.token,
          body: { emoji: "laugh" }
        }),
        200
      )
      assert.strictEqual((onComment.body.counts as Record<string, number>).laugh, 1)
      const [listed] = items<{ reactions: { counts: Record<string, number>; mine: string | null } }>(
        yield* call("GET", `/api/v1/posts/${postId}/comments`, { token: people[0]?.token })
      )
      assert.deepStrictEqual([listed?.reactions.counts.laugh, listed?.reactions.mine], [1, "laugh"])
      const who = items<{ user: { id: string } }>(yield* call("GET", `/api/v1/comments/${said.id}/reactions`))
      assert.deepStrictEqual(
        who.map((reaction) => reaction.user.id),
        [people[0]?.userId]
      )
      const undone = yield* call("DELETE", `/api/v1/comments/${said.id}/reaction`, { token: people[0]?.token })
      assert.strictEqual((expectStatus(undone, 200).body.counts as Record<string, number>).laugh, 0)
    })
  )

  it.effect("bookmarks are private, newest first, and leave out posts their saver can no longer see", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const reader = yield* signUp("Reader")
      const groupId = yield* createGroup(owner, { name: "Recipes" })
      const soup = yield* post(owner, groupId, "Soup")
      const bread = yield* post(owner, groupId, "Bread")
      const cake = yield* post(owner, groupId, "Cake")
      for (const id of [soup, bread, cake, bread]) {
        expectStatus(yield* call("PUT", `/api/v1/posts/${id}/bookmark`, { token: reader.token }), 204)
      }
      const saved = (response: JsonResponse) => items<{ id: string }>(response).map((p) => p.id)
      const first = yield* call("GET", "/api/v1/me/bookmarks?limit=2", { token: reader.token })
      assert.deepStrictEqual(saved(first), [cake, bread])
      const rest = yield* call(
        "GET",
        `/api/v1/me/bookmarks?limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`,
        { token: reader.token }
      )
      assert.deepStrictEqual(saved(rest), [soup])
      const shown = expectStatus(yield* call("GET", `/api/v1/posts/${cake}`, { token: reader.token }), 200)
      assert.isTrue((shown.body.viewer as { bookmarked: boolean }).bookmarked)
      const toOwner = expectStatus(yield* call("GET", `/api/v1/posts/${cake}`, { token: owner.token }), 200)
      assert.isFalse((toOwner.body.viewer as { bookmarked: boolean }).bookmarked)
      assert.deepStrictEqual(saved(yield* call("GET", "/api/v1/me/bookmarks", { token: owner.token })), [])

      // A deleted post, and one whose group went private, drop out of the list.
      expectStatus(yield* call("DELETE", `/api/v1/posts/${bread}`, { token: owner.token }), 204)
      assert.deepStrictEqual(saved(yield* call("GET", "/api/v1/me/bookmarks", { token: reader.token })), [cake, soup])
      expectStatus(
        yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { visibility: "private" } }),
        200
      )
      assert.deepStrictEqual(saved(yield* call("GET", "/api/v1/me/bookmarks", { token: reader.token })), [])
      expectStatus(yield* call("PUT", `/api/v1/posts/${soup}/bookmark`, { token: reader.token }), 404, "PostNotFound")
      expectStatus(yield* call("GET", "/api/v1/me/bookmarks", {}), 401, "Unauthorized")

      const mine = yield* profilePost(reader, { body: "My own note" })
      expectStatus(yield* call("PUT", `/api/v1/posts/${mine}/bookmark`, { token: reader.token }), 204)
      expectStatus(yield* call("DELETE", `/api/v1/posts/${mine}/bookmark`, { token: reader.token }), 204)
      expectStatus(yield* call("DELETE", `/api/v1/posts/${mine}/bookmark`, { token: reader.token }), 204)
      assert.deepStrictEqual(saved(yield* call("GET", "/api/v1/me/bookmarks", { token: reader.token })), [])
    })
  )
})
