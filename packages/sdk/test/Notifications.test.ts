import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { freshEmail, makeClient, password, serverEnv } from "./support/TestClient.ts"

/** A join request notification for `recipient`, as the worker writes it. */
const joinRequest = (recipient: string, groupName: string, minutesAgo: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = randomUUID()
    yield* sql`
      INSERT INTO notifications (id, recipient_id, type, subject_kind, subject_id, group_id, collapse_key, actor_ids,
        actor_count, data, created_at, updated_at)
      VALUES (${id}, ${recipient}, 'group.joinRequested', 'user', ${recipient}, NULL, NULL, '{}', 0,
        ${JSON.stringify({ groupId: randomUUID(), groupName })}::jsonb, now() - make_interval(mins => ${minutesAgo}),
        now() - make_interval(mins => ${minutesAgo}))`
    return id
  }).pipe(Effect.orDie)

layer(TestServer.layer(serverEnv()), { excludeTestServices: true })("notifications through the SDK", (it) => {
  it.effect("counts, lists with typed data, marks seen and read up to what was shown, sets preferences", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const signup = yield* Effect.promise(() =>
        client.auth.signup({ body: { email: freshEmail("reader"), password, nickname: "Reader" } })
      )
      const me = signup.data?.user.id ?? assert.fail(JSON.stringify(signup.error))
      yield* joinRequest(me, "Older club", 10)
      const newest = yield* joinRequest(me, "Newer club", 1)

      const counts = yield* Effect.promise(() => client.notifications.counts())
      assert.deepStrictEqual(counts.data, { unread: 2, unseen: 2 })
      yield* Effect.promise(() => client.notifications.markSeen())

      const shown: Array<string> = []
      yield* Effect.promise(async () => {
        for await (const notification of client.notifications.list.all({ query: { unread: "true", limit: 1 } })) {
          if (notification.type === "group.joinRequested") shown.push(notification.data.groupName)
        }
      })
      assert.deepStrictEqual(shown, ["Newer club", "Older club"])

      const marked = yield* Effect.promise(() => client.notifications.markAllRead({ body: { upTo: newest } }))
      assert.deepStrictEqual(marked.data, { marked: 2 })
      assert.deepStrictEqual((yield* Effect.promise(() => client.notifications.counts())).data, {
        unread: 0,
        unseen: 0
      })

      const updated = yield* Effect.promise(() =>
        client.notifications.updatePreferences({
          body: {
            timeZone: "Europe/Berlin",
            quietHours: { start: "22:00", end: "07:00" },
            types: [{ type: "group.joinRequested", email: false }]
          }
        })
      )
      assert.deepStrictEqual(updated.data?.quietHours, { start: "22:00", end: "07:00" })
      assert.isFalse(updated.data?.types.find((type) => type.type === "group.joinRequested")?.email)

      assert.deepStrictEqual(updated.data?.eventReminders, [1440, 60])
      const reminders = yield* Effect.promise(() =>
        client.notifications.updatePreferences({ body: { eventReminders: [2880, 10] } })
      )
      assert.deepStrictEqual(reminders.data?.eventReminders, [2880, 10])
      for (const eventReminders of [
        [60, 60],
        [10, 30, 60, 120]
      ] as const) {
        const refused = yield* Effect.promise(() =>
          client.notifications.updatePreferences({ body: { eventReminders: [...eventReminders] } })
        )
        if (refused.error?._tag !== "InvalidRequest") return assert.fail(JSON.stringify(refused.error))
        assert.deepStrictEqual(refused.error.issues[0]?.path, ["payload", "eventReminders"])
      }
      assert.deepStrictEqual(
        (yield* Effect.promise(() => client.notifications.getPreferences())).data?.eventReminders,
        [2880, 10]
      )

      const other = yield* makeClient()
      yield* Effect.promise(() =>
        other.auth.signup({ body: { email: freshEmail("other"), password, nickname: "Other" } })
      )
      const refused = yield* Effect.promise(() => other.notifications.delete({ path: { id: newest } }))
      assert.strictEqual(refused.error?._tag, "NotificationNotFound")
    })
  )
})
