import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp } from "./support/Actors.ts"
import { call } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

layer(TestServer.layer(env), { excludeTestServices: true })("Keyset pages", (it) => {
  it.effect("rows a few microseconds apart in one millisecond are each listed once, page by page", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const owner = yield* signUp("Pager")
      const groupId = yield* createGroup(owner, { name: "Same millisecond" })
      // Five members who joined within one millisecond, in an order their ids do not follow.
      const members = Array.from({ length: 5 }, () => randomUUID())
      yield* sql`
        INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
        SELECT id, 'pager-' || id || '@example.com', NULL, 'Pager', 'user', now(), now()
        FROM unnest(${members}::uuid[]) AS id`
      yield* Effect.forEach(
        members,
        (member, index) =>
          sql`
          INSERT INTO group_members (group_id, user_id, role, joined_at)
          VALUES (${groupId}, ${member}, 'member', ${`2026-01-01T10:00:00.123${String(900 - index * 150).padStart(3, "0")}Z`}::timestamptz)`
      )
      const seen: Array<string> = []
      let cursor: string | null = null
      do {
        const query: string = cursor === null ? "?limit=1" : `?limit=1&cursor=${encodeURIComponent(cursor)}`
        const page = yield* call("GET", `/api/v1/groups/${groupId}/members${query}`)
        assert.strictEqual(page.status, 200, page.text)
        for (const item of page.body.items as ReadonlyArray<{ user: { id: string } }>) seen.push(item.user.id)
        cursor = typeof page.body.nextCursor === "string" ? page.body.nextCursor : null
      } while (cursor !== null)
      assert.deepStrictEqual([...seen].sort(), [owner.userId, ...members].sort())
    }).pipe(Effect.orDie)
  )
})
