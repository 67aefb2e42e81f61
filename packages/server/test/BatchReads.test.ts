import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { PostId } from "@moim/domain/Posts/Post"
import { Effect, Option } from "effect"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

const ids = (list: ReadonlyArray<string>) => list.map((id) => `ids=${id}`).join("&")

const itemIds = (response: JsonResponse) => {
  assert.strictEqual(response.status, 200, response.text)
  return (response.body.items as ReadonlyArray<{ readonly id: string }>).map((item) => item.id)
}

const post = (author: TestUser, groupId: string, body: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/posts`, { token: author.token, body: { body } }), (response) => {
    assert.strictEqual(response.status, 201, response.text)
    return String(response.body.id)
  })

layer(TestServer.layer(env), { excludeTestServices: true })("Batch reads", (it) => {
  it.effect("users: in the order asked, each once; unknown, deleted and blocked people left out", () =>
    Effect.gen(function* () {
      const [viewer, ann, bob, cat, gone, blocker] = yield* Effect.all(
        ["Viewer", "Ann", "Bob", "Cat", "Gone", "Blocker"].map((name) => signUp(name))
      )
      if (viewer === undefined || ann === undefined || bob === undefined || cat === undefined) return assert.fail()
      if (gone === undefined || blocker === undefined) return assert.fail()
      assert.strictEqual((yield* call("DELETE", "/api/v1/me", { token: gone.token })).status, 204)
      assert.strictEqual(
        (yield* call("PUT", `/api/v1/users/${viewer.userId}/block`, { token: blocker.token })).status,
        204
      )
      const asked = [cat.userId, randomUUID(), ann.userId, gone.userId, cat.userId, blocker.userId, bob.userId]
      const seen = itemIds(yield* call("GET", `/api/v1/users/by-ids?${ids(asked)}`, { token: viewer.token }))
      assert.deepStrictEqual(seen, [cat.userId, ann.userId, bob.userId])
      // Anonymous callers have no blocks: only the deleted and the unknown are left out.
      const anonymous = itemIds(yield* call("GET", `/api/v1/users/by-ids?${ids(asked)}`))
      assert.deepStrictEqual(anonymous, [cat.userId, ann.userId, blocker.userId, bob.userId])
    })
  )

  it.effect("groups: as GET /groups/{id} shows them, private ones only to members", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const outsider = yield* signUp("Outsider")
      const open = yield* createGroup(owner, { name: "Open doors" })
      const closed = yield* createGroup(owner, { name: "Closed doors", visibility: "private" })
      const asked = [closed, open, randomUUID()]
      assert.deepStrictEqual(
        itemIds(yield* call("GET", `/api/v1/groups/by-ids?${ids(asked)}`, { token: owner.token })),
        [closed, open]
      )
      assert.deepStrictEqual(
        itemIds(yield* call("GET", `/api/v1/groups/by-ids?${ids(asked)}`, { token: outsider.token })),
        [open]
      )
      assert.deepStrictEqual(itemIds(yield* call("GET", `/api/v1/groups/by-ids?${ids(asked)}`)), [open])
      // Each item is what the group's own page shows the caller, viewer part included.
      const batch = yield* call("GET", `/api/v1/groups/by-ids?ids=${closed}`, { token: owner.token })
      const single = yield* call("GET", `/api/v1/groups/${closed}`, { token: owner.token })
      assert.deepStrictEqual((batch.body.items as ReadonlyArray<unknown>)[0], single.json)
    })
  )

  it.effect("posts: those the caller may see, in order; deleted and private-group posts left out", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Writer")
      const outsider = yield* signUp("Reader")
      const open = yield* createGroup(owner, { name: "Open posts" })
      const closed = yield* createGroup(owner, { name: "Closed posts", visibility: "private" })
      const first = yield* post(owner, open, "First")
      const second = yield* post(owner, closed, "Second")
      const third = yield* post(owner, open, "Third")
      const deleted = yield* post(owner, open, "Gone soon")
      assert.strictEqual((yield* call("DELETE", `/api/v1/posts/${deleted}`, { token: owner.token })).status, 204)
      const asked = [third, deleted, second, first, third]
      assert.deepStrictEqual(
        itemIds(yield* call("GET", `/api/v1/posts/by-ids?${ids(asked)}`, { token: owner.token })),
        [third, second, first]
      )
      assert.deepStrictEqual(
        itemIds(yield* call("GET", `/api/v1/posts/by-ids?${ids(asked)}`, { token: outsider.token })),
        [third, first]
      )
      const batch = yield* call("GET", `/api/v1/posts/by-ids?ids=${first}`, { token: owner.token })
      const single = yield* call("GET", `/api/v1/posts/${first}`, { token: owner.token })
      assert.deepStrictEqual((batch.body.items as ReadonlyArray<unknown>)[0], single.json)
    })
  )

  it.effect("no ids, more than 100 ids or a malformed id is refused with the parameter named", () =>
    Effect.gen(function* () {
      const many = Array.from({ length: 101 }, () => randomUUID())
      for (const query of ["", `?${ids(many)}`, "?ids=not-a-uuid"]) {
        for (const kind of ["users", "groups", "posts"]) {
          const response = yield* call("GET", `/api/v1/${kind}/by-ids${query}`)
          assert.strictEqual(response.status, 400, `${kind}${query.slice(0, 20)}: ${response.text}`)
          assert.strictEqual(response.body._tag, "InvalidRequest")
          const paths = (response.body.issues as ReadonlyArray<{ readonly path: ReadonlyArray<string | number> }>).map(
            (issue) => issue.path.slice(0, 2).join(".")
          )
          assert.include(paths, "query.ids")
        }
      }
      assert.strictEqual((yield* call("GET", `/api/v1/users/by-ids?${ids(many.slice(0, 100))}`)).status, 200)
    })
  )

  for (const protocol of rpcProtocols) {
    it.effect(`over RPC (${protocol}), the same answers`, () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Rpc owner")
        const other = yield* signUp("Rpc other")
        const open = yield* createGroup(owner, { name: "Rpc open" })
        const closed = yield* createGroup(owner, { name: "Rpc closed", visibility: "private" })
        const postId = yield* post(owner, closed, "Members only")
        const seen = yield* withRpcClient(protocol, Effect.succeed(Option.some(other.token)), (client) =>
          Effect.all({
            users: client.GetUsersByIds({ ids: [UserId.make(other.userId), UserId.make(owner.userId)] }),
            groups: client.GetGroupsByIds({ ids: [GroupId.make(closed), GroupId.make(open)] }),
            posts: client.GetPostsByIds({ ids: [PostId.make(postId)] })
          })
        )
        assert.deepStrictEqual(
          seen.users.items.map((user) => user.id),
          [other.userId, owner.userId]
        )
        assert.deepStrictEqual(
          seen.groups.items.map((group) => group.id),
          [open]
        )
        assert.deepStrictEqual(seen.posts.items, [])
      })
    )
  }
})
