import { assert, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { Effect, Option } from "effect"
import { befriend, createGroup, follow, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag)
  return response
}

interface Listed {
  readonly user: { readonly id: string }
}

const people = (response: JsonResponse) =>
  (expectStatus(response, 200).body.items as ReadonlyArray<Listed>).map((item) => item.user.id)

const profile = (viewer: TestUser | undefined, user: TestUser) =>
  call("GET", `/api/v1/users/${user.userId}`, { token: viewer?.token })

interface Counts {
  readonly followers: number
  readonly following: number
  readonly friends: number
  readonly posts: number
}

const counts = (user: TestUser) =>
  Effect.map(profile(undefined, user), (response) => expectStatus(response, 200).body.counts as Counts)

const settings = (user: TestUser, body: Record<string, unknown>) =>
  Effect.map(call("PATCH", "/api/v1/me/settings", { token: user.token, body }), (response) =>
    expectStatus(response, 200)
  )

const profilePost = (author: TestUser, body: Record<string, unknown>) =>
  Effect.map(call("POST", "/api/v1/me/posts", { token: author.token, body }), (response) =>
    String(expectStatus(response, 201).body.id)
  )

const feed = (user: TestUser, cursor?: string) =>
  Effect.map(
    call("GET", `/api/v1/me/feed${cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`}`, {
      token: user.token
    }),
    (response) => expectStatus(response, 200)
  )

const feedIds = (user: TestUser) =>
  Effect.map(feed(user), (response) => (response.body.items as ReadonlyArray<{ id: string }>).map((post) => post.id))

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Social graph", (it) => {
  it.effect("follows: at once for a public account, counted; lists newest first; unfollow undoes it", () =>
    Effect.gen(function* () {
      const ada = yield* signUp("Ada")
      const bo = yield* signUp("Bo")
      const cy = yield* signUp("Cy")
      yield* follow(bo, ada)
      yield* follow(cy, ada)
      // Following again changes nothing.
      yield* follow(cy, ada)
      assert.deepStrictEqual(yield* counts(ada), { followers: 2, following: 0, friends: 0, posts: 0 })
      assert.deepStrictEqual(yield* counts(cy), { followers: 0, following: 1, friends: 0, posts: 0 })
      assert.deepStrictEqual(people(yield* call("GET", `/api/v1/users/${ada.userId}/followers`)), [
        cy.userId,
        bo.userId
      ])
      assert.deepStrictEqual(people(yield* call("GET", `/api/v1/users/${bo.userId}/following`)), [ada.userId])
      const page = yield* call("GET", `/api/v1/users/${ada.userId}/followers?limit=1`)
      const next = yield* call(
        "GET",
        `/api/v1/users/${ada.userId}/followers?limit=1&cursor=${encodeURIComponent(String(page.body.nextCursor))}`
      )
      assert.deepStrictEqual([...people(page), ...people(next)], [cy.userId, bo.userId])

      const seen = expectStatus(yield* profile(bo, ada), 200).body
      assert.strictEqual((seen.relationship as { following: boolean }).following, true)
      assert.strictEqual(
        (expectStatus(yield* profile(ada, bo), 200).body.relationship as { followsYou: boolean }).followsYou,
        true
      )
      assert.strictEqual(expectStatus(yield* profile(ada, ada), 200).body.relationship, null)

      expectStatus(yield* call("DELETE", `/api/v1/users/${ada.userId}/follow`, { token: bo.token }), 204)
      expectStatus(yield* call("DELETE", `/api/v1/users/${ada.userId}/follow`, { token: bo.token }), 204)
      assert.deepStrictEqual(yield* counts(ada), { followers: 1, following: 0, friends: 0, posts: 0 })
      // Removing a follower.
      expectStatus(yield* call("DELETE", `/api/v1/me/followers/${cy.userId}`, { token: ada.token }), 204)
      assert.deepStrictEqual(people(yield* call("GET", `/api/v1/users/${ada.userId}/followers`)), [])

      expectStatus(yield* call("PUT", `/api/v1/users/${ada.userId}/follow`, { token: ada.token }), 400, "SelfRelation")
      expectStatus(
        yield* call("PUT", "/api/v1/users/00000000-0000-4000-8000-000000000000/follow", { token: ada.token }),
        404,
        "UserNotFound"
      )
    })
  )

  it.effect(
    "a private account turns follows into requests it approves or declines; going public approves the rest",
    () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Priv")
        const asker = yield* signUp("Asker")
        const other = yield* signUp("Other")
        const third = yield* signUp("Third")
        yield* settings(owner, { privateAccount: true })
        const asked = expectStatus(
          yield* call("PUT", `/api/v1/users/${owner.userId}/follow`, { token: asker.token }),
          200
        )
        assert.strictEqual(asked.body.status, "requested")
        expectStatus(yield* call("PUT", `/api/v1/users/${owner.userId}/follow`, { token: other.token }), 200)
        expectStatus(yield* call("PUT", `/api/v1/users/${owner.userId}/follow`, { token: third.token }), 200)
        assert.deepStrictEqual((yield* counts(owner)).followers, 0)
        assert.deepStrictEqual(people(yield* call("GET", "/api/v1/me/follow-requests", { token: owner.token })), [
          third.userId,
          other.userId,
          asker.userId
        ])
        // A private account's lists are for it and its followers.
        expectStatus(
          yield* call("GET", `/api/v1/users/${owner.userId}/followers`, { token: asker.token }),
          403,
          "Forbidden"
        )
        expectStatus(yield* call("GET", `/api/v1/users/${owner.userId}/followers`), 403, "Forbidden")
        assert.strictEqual(
          (expectStatus(yield* profile(asker, owner), 200).body.relationship as { followRequested: boolean })
            .followRequested,
          true
        )

        expectStatus(
          yield* call("POST", `/api/v1/me/follow-requests/${asker.userId}/approve`, { token: owner.token }),
          204
        )
        expectStatus(
          yield* call("POST", `/api/v1/me/follow-requests/${asker.userId}/approve`, { token: owner.token }),
          404,
          "FollowRequestNotFound"
        )
        expectStatus(
          yield* call("POST", `/api/v1/me/follow-requests/${other.userId}/decline`, { token: owner.token }),
          204
        )
        assert.deepStrictEqual(
          people(yield* call("GET", `/api/v1/users/${owner.userId}/followers`, { token: asker.token })),
          [asker.userId]
        )
        yield* settings(owner, { privateAccount: false })
        assert.deepStrictEqual((yield* counts(owner)).followers, 2)
        assert.deepStrictEqual(people(yield* call("GET", "/api/v1/me/follow-requests", { token: owner.token })), [])
      })
  )

  it.effect(
    "friendships: request, accept, decline, cancel, unfriend; asking each other makes friends; mutual friends",
    () =>
      Effect.gen(function* () {
        const ana = yield* signUp("Ana")
        const ben = yield* signUp("Ben")
        const cid = yield* signUp("Cid")
        const dee = yield* signUp("Dee")
        const sent = expectStatus(
          yield* call("PUT", `/api/v1/users/${ben.userId}/friend-request`, { token: ana.token }),
          200
        )
        assert.strictEqual(sent.body.status, "requested")
        assert.deepStrictEqual(
          people(yield* call("GET", "/api/v1/me/friend-requests/outgoing", { token: ana.token })),
          [ben.userId]
        )
        assert.deepStrictEqual(
          people(yield* call("GET", "/api/v1/me/friend-requests/incoming", { token: ben.token })),
          [ana.userId]
        )
        // Only the one asked accepts.
        expectStatus(
          yield* call("POST", `/api/v1/me/friend-requests/${ben.userId}/accept`, { token: ana.token }),
          404,
          "FriendRequestNotFound"
        )
        expectStatus(yield* call("POST", `/api/v1/me/friend-requests/${ana.userId}/accept`, { token: ben.token }), 204)
        assert.deepStrictEqual((yield* counts(ana)).friends, 1)
        assert.deepStrictEqual((yield* counts(ben)).friends, 1)

        // Asking someone who asked you makes you friends at once.
        expectStatus(yield* call("PUT", `/api/v1/users/${ana.userId}/friend-request`, { token: cid.token }), 200)
        const crossed = expectStatus(
          yield* call("PUT", `/api/v1/users/${cid.userId}/friend-request`, { token: ana.token }),
          200
        )
        assert.strictEqual(crossed.body.status, "friends")
        yield* befriend(ben, cid)
        assert.deepStrictEqual(people(yield* call("GET", `/api/v1/users/${ana.userId}/friends`)), [
          cid.userId,
          ben.userId
        ])
        assert.deepStrictEqual(
          people(yield* call("GET", `/api/v1/users/${cid.userId}/mutual-friends`, { token: ana.token })),
          [ben.userId]
        )

        // Decline and cancel.
        expectStatus(yield* call("PUT", `/api/v1/users/${dee.userId}/friend-request`, { token: ana.token }), 200)
        expectStatus(yield* call("POST", `/api/v1/me/friend-requests/${ana.userId}/decline`, { token: dee.token }), 204)
        expectStatus(yield* call("PUT", `/api/v1/users/${dee.userId}/friend-request`, { token: ana.token }), 200)
        expectStatus(yield* call("DELETE", `/api/v1/users/${dee.userId}/friend-request`, { token: ana.token }), 204)
        expectStatus(
          yield* call("DELETE", `/api/v1/users/${dee.userId}/friend-request`, { token: ana.token }),
          404,
          "FriendRequestNotFound"
        )
        expectStatus(yield* call("DELETE", `/api/v1/users/${ben.userId}/friendship`, { token: ana.token }), 204)
        assert.deepStrictEqual((yield* counts(ben)).friends, 1, "Ben keeps Cid")
        assert.deepStrictEqual(people(yield* call("GET", `/api/v1/users/${ana.userId}/friends`)), [cid.userId])
      })
  )

  it.effect("privacy settings: who may ask to be friends, who sees friends, details and last activity", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Quiet")
      const friend = yield* signUp("Close")
      const stranger = yield* signUp("Far")
      const friendOfFriend = yield* signUp("Near")
      yield* befriend(friend, owner)
      yield* befriend(friend, friendOfFriend)
      const defaults = expectStatus(yield* call("GET", "/api/v1/me/settings", { token: owner.token }), 200).body
      assert.deepStrictEqual(defaults, {
        privateAccount: false,
        profileDetails: "everyone",
        defaultPostAudience: "public",
        friendsList: "everyone",
        lastActive: "friends",
        friendRequests: "everyone",
        findableByPhone: true,
        findableByEmail: true
      })
      yield* settings(owner, {
        friendRequests: "friends_of_friends",
        friendsList: "friends",
        profileDetails: "friends",
        lastActive: "only_me"
      })
      expectStatus(
        yield* call("PUT", `/api/v1/users/${owner.userId}/friend-request`, { token: stranger.token }),
        403,
        "FriendRequestsClosed"
      )
      expectStatus(
        yield* call("PUT", `/api/v1/users/${owner.userId}/friend-request`, { token: friendOfFriend.token }),
        200
      )
      expectStatus(
        yield* call("GET", `/api/v1/users/${owner.userId}/friends`, { token: stranger.token }),
        403,
        "Forbidden"
      )
      assert.deepStrictEqual(
        people(yield* call("GET", `/api/v1/users/${owner.userId}/friends`, { token: friend.token })),
        [friend.userId]
      )
      const byStranger = expectStatus(yield* profile(stranger, owner), 200).body
      assert.strictEqual(byStranger.detailsHidden, true)
      assert.strictEqual(byStranger.lastActiveAt, null)
      const byFriend = expectStatus(yield* profile(friend, owner), 200).body
      assert.strictEqual(byFriend.detailsHidden, false)
      assert.strictEqual(byFriend.lastActiveAt, null, "only_me")
      yield* settings(owner, { lastActive: "friends", friendRequests: "nobody" })
      assert.notStrictEqual(expectStatus(yield* profile(friend, owner), 200).body.lastActiveAt, null)
      expectStatus(
        yield* call("PUT", `/api/v1/users/${owner.userId}/friend-request`, { token: stranger.token }),
        403,
        "FriendRequestsClosed"
      )
      // The default audience of a profile post follows the setting.
      yield* settings(owner, { defaultPostAudience: "friends" })
      const postId = yield* profilePost(owner, { body: "For friends by default" })
      expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: stranger.token }), 404, "PostNotFound")
      assert.strictEqual(
        expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: friend.token }), 200).body.audience,
        "friends"
      )
      expectStatus(
        yield* call("PATCH", "/api/v1/me/settings", { token: owner.token, body: { lastActive: "nobody" } }),
        400,
        "InvalidRequest"
      )
    })
  )

  it.effect("blocking ends follows and friendship both ways and hides each from the other everywhere", () =>
    Effect.gen(function* () {
      const blocker = yield* signUp("Blocker")
      const blocked = yield* signUp("Blocked")
      const bystander = yield* signUp("Bystander")
      const groupId = yield* createGroup(blocker, { name: "Block club" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: blocked.token, body: {} }), 200)
      yield* befriend(blocker, blocked)
      yield* follow(blocked, blocker)
      yield* follow(blocker, blocked)
      const publicPost = yield* profilePost(blocker, { body: "Hello everyone" })
      const groupPost = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, {
            token: blocked.token,
            body: { body: "From the blocked one" }
          }),
          201
        ).body.id
      )
      const comment = expectStatus(
        yield* call("POST", `/api/v1/posts/${publicPost}/comments`, { token: blocked.token, body: { body: "Nice" } }),
        201
      ).body.id
      expectStatus(
        yield* call("PUT", `/api/v1/posts/${publicPost}/reaction`, { token: blocked.token, body: { emoji: "love" } }),
        200
      )
      expectStatus(yield* call("PUT", `/api/v1/posts/${publicPost}/bookmark`, { token: blocked.token }), 204)

      expectStatus(yield* call("PUT", `/api/v1/users/${blocked.userId}/block`, { token: blocker.token }), 204)
      assert.deepStrictEqual(yield* counts(blocker), { followers: 0, following: 0, friends: 0, posts: 1 })
      assert.deepStrictEqual(people(yield* call("GET", "/api/v1/me/blocks", { token: blocker.token })), [
        blocked.userId
      ])

      for (const [viewer, other] of [
        [blocker, blocked],
        [blocked, blocker]
      ] as const) {
        expectStatus(yield* profile(viewer, other), 404, "UserNotFound")
        expectStatus(
          yield* call("GET", `/api/v1/users/${other.userId}/posts`, { token: viewer.token }),
          404,
          "UserNotFound"
        )
        expectStatus(
          yield* call("PUT", `/api/v1/users/${other.userId}/follow`, { token: viewer.token }),
          404,
          "UserNotFound"
        )
        expectStatus(
          yield* call("PUT", `/api/v1/users/${other.userId}/friend-request`, { token: viewer.token }),
          404,
          "UserNotFound"
        )
        const found = yield* call(
          "GET",
          `/api/v1/users?q=${encodeURIComponent(other === blocked ? "Blocked" : "Blocker")}`,
          {
            token: viewer.token
          }
        )
        assert.isFalse(
          (expectStatus(found, 200).body.items as ReadonlyArray<{ id: string }>).some(
            (user) => user.id === other.userId
          )
        )
      }
      // Their posts, comments and reactions are gone for the other.
      expectStatus(yield* call("GET", `/api/v1/posts/${publicPost}`, { token: blocked.token }), 404, "PostNotFound")
      expectStatus(yield* call("GET", `/api/v1/posts/${groupPost}`, { token: blocker.token }), 404, "PostNotFound")
      expectStatus(yield* call("GET", `/api/v1/posts/${groupPost}`, { token: bystander.token }), 200)
      const groupPosts = expectStatus(
        yield* call("GET", `/api/v1/groups/${groupId}/posts`, { token: blocker.token }),
        200
      )
      assert.deepStrictEqual(groupPosts.body.items, [])
      const comments = expectStatus(
        yield* call("GET", `/api/v1/posts/${publicPost}/comments`, { token: blocker.token }),
        200
      )
      assert.deepStrictEqual(comments.body.items, [])
      expectStatus(
        yield* call("GET", `/api/v1/comments/${comment}/reactions`, { token: blocker.token }),
        404,
        "CommentNotFound"
      )
      const reactions = expectStatus(
        yield* call("GET", `/api/v1/posts/${publicPost}/reactions`, { token: blocker.token }),
        200
      )
      assert.deepStrictEqual(reactions.body.items, [])
      assert.deepStrictEqual(
        expectStatus(yield* call("GET", "/api/v1/me/bookmarks", { token: blocked.token }), 200).body.items,
        []
      )
      // The blocked one cannot be invited.
      expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
          token: blocker.token,
          body: { userId: blocked.userId }
        }),
        404,
        "UserNotFound"
      )
      // A bystander still sees both.
      expectStatus(yield* profile(bystander, blocked), 200)
      expectStatus(yield* call("GET", `/api/v1/posts/${publicPost}`, { token: bystander.token }), 200)
      // The group's member list: the owner is gone from the blocked member's view; the owner, who
      // moderates the group, and everyone else still see both.
      const members = (viewer: TestUser) =>
        Effect.map(call("GET", `/api/v1/groups/${groupId}/members`, { token: viewer.token }), (response) =>
          (expectStatus(response, 200).body.items as ReadonlyArray<{ user: { id: string } }>).map(
            (member) => member.user.id
          )
        )
      assert.deepStrictEqual(yield* members(blocked), [blocked.userId])
      assert.sameMembers([...(yield* members(blocker))], [blocker.userId, blocked.userId])
      assert.sameMembers([...(yield* members(bystander))], [blocker.userId, blocked.userId])

      // Unblocking shows them again; follows and friendship do not come back.
      expectStatus(yield* call("DELETE", `/api/v1/users/${blocked.userId}/block`, { token: blocker.token }), 204)
      const again = expectStatus(yield* profile(blocker, blocked), 200).body.relationship as Record<string, boolean>
      assert.deepStrictEqual(again, {
        following: false,
        followRequested: false,
        followsYou: false,
        friends: false,
        friendRequestSent: false,
        friendRequestReceived: false,
        blocking: false
      })
    })
  )

  it.effect("the home feed: own posts, followees' and friends' as audiences allow, groups'; newest first, paged", () =>
    Effect.gen(function* () {
      const reader = yield* signUp("Reader")
      const followee = yield* signUp("Followee")
      const friend = yield* signUp("Friend")
      const stranger = yield* signUp("Stranger")
      const groupOwner = yield* signUp("GroupOwner")
      const groupId = yield* createGroup(groupOwner, { name: "Feed group" })
      expectStatus(yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: reader.token, body: {} }), 200)
      yield* follow(reader, followee)
      yield* befriend(reader, friend)

      const own = yield* profilePost(reader, { body: "mine", audience: "friends" })
      const followeePublic = yield* profilePost(followee, { body: "public" })
      yield* profilePost(followee, { body: "friends only", audience: "friends" })
      const followeeFollowers = yield* profilePost(followee, { body: "followers", audience: "followers" })
      const friendFriends = yield* profilePost(friend, { body: "friends", audience: "friends" })
      yield* profilePost(stranger, { body: "not followed" })
      const groupPost = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/posts`, { token: groupOwner.token, body: { body: "group" } }),
          201
        ).body.id
      )
      const expected = [groupPost, friendFriends, followeeFollowers, followeePublic, own]
      assert.deepStrictEqual(yield* feedIds(reader), expected)

      // Pages.
      const first = expectStatus(yield* call("GET", "/api/v1/me/feed?limit=2", { token: reader.token }), 200)
      const paged: Array<string> = (first.body.items as ReadonlyArray<{ id: string }>).map((post) => post.id)
      let cursor = first.body.nextCursor
      while (typeof cursor === "string") {
        const next = yield* feed(reader, cursor)
        paged.push(...(next.body.items as ReadonlyArray<{ id: string }>).map((post) => post.id))
        cursor = next.body.nextCursor
      }
      assert.deepStrictEqual(paged, expected)

      // A deleted post leaves the cached feed at once; so does one hidden by reports; my own new post shows at once.
      expectStatus(yield* call("DELETE", `/api/v1/posts/${followeePublic}`, { token: followee.token }), 204)
      assert.deepStrictEqual(yield* feedIds(reader), [groupPost, friendFriends, followeeFollowers, own])
      const mine = yield* profilePost(reader, { body: "new of mine" })
      assert.deepStrictEqual((yield* feedIds(reader))[0], mine)

      // Unfollowing and unfriending take their posts out at once.
      expectStatus(yield* call("DELETE", `/api/v1/users/${followee.userId}/follow`, { token: reader.token }), 204)
      expectStatus(yield* call("DELETE", `/api/v1/users/${friend.userId}/friendship`, { token: reader.token }), 204)
      assert.deepStrictEqual(yield* feedIds(reader), [mine, groupPost, own])
      expectStatus(yield* call("GET", "/api/v1/me/feed"), 401, "Unauthorized")
    })
  )

  it.effect("concurrent posts, follows and unfollows leave the feed and counts exact", () =>
    Effect.gen(function* () {
      const reader = yield* signUp("Busy")
      const authors = yield* Effect.forEach(
        Array.from({ length: 8 }, (_, i) => `Author${i}`),
        (name) => signUp(name)
      )
      const posted = yield* Effect.forEach(
        authors,
        (author, i) =>
          Effect.all(
            [
              profilePost(author, { body: `post ${i}` }),
              i % 2 === 0
                ? follow(reader, author)
                : Effect.asVoid(call("PUT", `/api/v1/users/${author.userId}/follow`, { token: reader.token }))
            ],
            { concurrency: 2 }
          ),
        { concurrency: 8 }
      )
      // Unfollow the odd ones, concurrently with more posts by the even ones.
      const more = yield* Effect.forEach(
        authors,
        (author, i) =>
          i % 2 === 1
            ? Effect.as(
                call("DELETE", `/api/v1/users/${author.userId}/follow`, { token: reader.token }),
                Option.none<string>()
              )
            : Effect.map(profilePost(author, { body: `more ${i}` }), Option.some),
        { concurrency: 8 }
      )
      const evens = new Set([
        ...posted.flatMap(([postId], i) => (i % 2 === 0 ? [postId] : [])),
        ...more.flatMap((found) => Option.toArray(found))
      ])
      const seen = yield* feedIds(reader)
      assert.deepStrictEqual(new Set(seen), evens)
      assert.deepStrictEqual((yield* counts(reader)).following, 4)
      for (const [i, author] of authors.entries()) {
        assert.strictEqual((yield* counts(author)).followers, i % 2 === 0 ? 1 : 0)
      }
    })
  )

  it.effect("concurrent friend requests between the same two people make one friendship", () =>
    Effect.gen(function* () {
      const a = yield* signUp("Twin A")
      const b = yield* signUp("Twin B")
      const results = yield* Effect.all(
        [
          call("PUT", `/api/v1/users/${b.userId}/friend-request`, { token: a.token }),
          call("PUT", `/api/v1/users/${a.userId}/friend-request`, { token: b.token })
        ],
        { concurrency: 2 }
      )
      assert.deepStrictEqual(results.map((response) => expectStatus(response, 200).body.status).sort(), [
        "friends",
        "requested"
      ])
      assert.strictEqual((yield* counts(a)).friends, 1)
      assert.strictEqual((yield* counts(b)).friends, 1)
    })
  )

  it.effect("the same operations over RPC, with typed errors", () =>
    Effect.gen(function* () {
      const a = yield* signUp("Rpc A")
      const b = yield* signUp("Rpc B")
      yield* withRpcClient("http", Effect.succeed(Option.some(a.token)), (client) =>
        Effect.gen(function* () {
          const bId = UserId.make(b.userId)
          const followed = yield* client.FollowUser({ id: bId })
          assert.strictEqual(followed.status, "following")
          const requested = yield* client.SendFriendRequest({ id: bId })
          assert.strictEqual(requested.status, "requested")
          const self = yield* Effect.flip(client.FollowUser({ id: UserId.make(a.userId) }))
          assert.strictEqual(self._tag, "SelfRelation")
          const updated = yield* client.UpdateSettings({ privateAccount: true })
          assert.strictEqual(updated.privateAccount, true)
          const profile = yield* client.GetUser({ id: bId })
          assert.strictEqual(profile.relationship?.following, true)
          assert.strictEqual(profile.counts.followers, 1)
          yield* client.BlockUser({ id: bId })
          const blocked = yield* client.ListBlocked({})
          assert.deepStrictEqual(
            blocked.items.map((item) => item.user.id),
            [b.userId]
          )
          const feed = yield* client.GetHomeFeed({})
          assert.deepStrictEqual(feed.items, [])
          const uploaded = yield* client.UploadContacts({ phoneNumbers: ["+14155550100", "000"] })
          assert.deepStrictEqual([uploaded.received, uploaded.invalid, uploaded.stored], [2, 1, 1])
          yield* client.DeleteContacts()
        })
      )
    })
  )
})
