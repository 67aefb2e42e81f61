import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createGroup, signUp } from "../../server/test/support/Actors.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { makeClient, serverEnv } from "./support/TestClient.ts"

/** The statuses the server answered, as the SDK's `fetch` saw them (before its cache). */
const recordStatuses = () => {
  const statuses: Array<number> = []
  return {
    statuses,
    fetch: async (request: Request) => {
      const response = await fetch(request)
      statuses.push(response.status)
      return response
    }
  }
}

layer(TestServer.layer(serverEnv({ RATE_LIMIT_USER: "10000" })), { excludeTestServices: true })(
  "conditional requests through the SDK",
  (it) => {
    it.effect("`cache` revalidates reads: a 304 on the wire, the kept copy to the caller", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Cached")
        const groupId = yield* createGroup(owner, { name: "Kept copy" })
        const wire = recordStatuses()
        const client = yield* makeClient({ cache: { maxEntries: 10 }, fetch: wire.fetch })
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))

        const first = yield* Effect.promise(() => client.groups.get({ path: { id: groupId } }))
        if (!first.ok) return assert.fail(JSON.stringify(first.error))
        const second = yield* Effect.promise(() => client.groups.get({ path: { id: groupId } }))
        if (!second.ok) return assert.fail(JSON.stringify(second.error))
        assert.deepStrictEqual(wire.statuses, [200, 304])
        assert.deepStrictEqual(second.data, first.data)
        assert.strictEqual(second.etag, first.etag)
        assert.strictEqual(second.response.headers.get("x-moim-cache"), "revalidated")

        // A change is seen at once: the server answers 200 with the new representation.
        const renamed = yield* Effect.promise(() =>
          client.groups.update({ path: { id: groupId }, body: { name: "Renamed copy" } })
        )
        assert.isTrue(renamed.ok)
        const third = yield* Effect.promise(() => client.groups.get({ path: { id: groupId } }))
        assert.strictEqual(third.data?.name, "Renamed copy")
        assert.deepStrictEqual(wire.statuses, [200, 304, 200, 200])

        // Without `cache`, every read is sent in full.
        const plain = recordStatuses()
        const uncached = yield* makeClient({ fetch: plain.fetch })
        yield* Effect.promise(() => uncached.session.set({ accessToken: owner.token, refreshToken: "unused" }))
        yield* Effect.promise(() => uncached.groups.get({ path: { id: groupId } }))
        yield* Effect.promise(() => uncached.groups.get({ path: { id: groupId } }))
        assert.deepStrictEqual(plain.statuses, [200, 200])
      })
    )

    it.effect("`ifMatch`: the etag read edits that version only; a stale one is PreconditionFailed", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Careful editor")
        const groupId = yield* createGroup(owner, { name: "Careful" })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))

        const read = yield* Effect.promise(() => client.groups.get({ path: { id: groupId } }))
        if (!read.ok) return assert.fail(JSON.stringify(read.error))
        const edited = yield* Effect.promise(() =>
          client.groups.update({ path: { id: groupId }, body: { description: "Mine" }, ifMatch: read.etag })
        )
        if (!edited.ok) return assert.fail(JSON.stringify(edited.error))
        assert.strictEqual(edited.data.version, 2)
        assert.match(edited.etag ?? "", /^W\/"2-/)

        const stale = yield* Effect.promise(() =>
          client.groups.update({ path: { id: groupId }, body: { description: "Theirs" }, ifMatch: read.etag })
        )
        assert.strictEqual(stale.error?._tag, "PreconditionFailed")
        if (stale.error?._tag === "PreconditionFailed") assert.strictEqual(stale.error.currentVersion, 2)

        // The version number works as well as the tag.
        const byNumber = yield* Effect.promise(() =>
          client.groups.update({ path: { id: groupId }, body: { description: "Merged" }, ifMatch: 2 })
        )
        assert.strictEqual(byNumber.data?.version, 3)
      })
    )
  }
)
