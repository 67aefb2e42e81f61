import { assert, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp } from "./support/Actors.ts"
import { eventually } from "./support/Eventually.ts"
import { call } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const Counts = Schema.Struct({
  places: Schema.Int,
  interests: Schema.Int,
  dismissals: Schema.Int,
  suggestions: Schema.Int,
  activity: Schema.Int
})

/** What recommendations and analytics keep of a person, row by row. */
const keptOf = (userId: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`
      SELECT
        (SELECT count(*) FROM recommendation_places WHERE user_id = ${userId})::int AS places,
        (SELECT count(*) FROM recommendation_interests WHERE user_id = ${userId})::int AS interests,
        (SELECT count(*) FROM recommendation_dismissals WHERE user_id = ${userId})::int AS dismissals,
        (SELECT count(*) FROM recommendations WHERE user_id = ${userId})::int AS suggestions,
        (SELECT count(*) FROM activity_events WHERE user_id = ${userId})::int AS activity`
    return yield* Schema.decodeUnknownEffect(Counts)(rows[0])
  }).pipe(Effect.orDie)

layer(TestServer.layer(), { excludeTestServices: true })("Erasing an account", (it) => {
  it.effect("forgets the person's place, interests, dismissals, suggestions and activity, and nobody else's", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const leaving = yield* signUp("Leaving")
      const staying = yield* signUp("Staying")
      const owner = yield* signUp("Owner")
      const group = yield* createGroup(owner, { name: "Trail Walkers", category: "hiking" })

      for (const person of [leaving, staying]) {
        const picked = yield* call("PUT", "/api/v1/me/interests", {
          token: person.token,
          body: { interests: ["hiking"], place: { latitude: 52.52, longitude: 13.4 } }
        })
        assert.strictEqual(picked.status, 200, picked.text)
        const dismissed = yield* call("DELETE", `/api/v1/me/suggestions/groups/${group}`, { token: person.token })
        assert.strictEqual(dismissed.status, 204, dismissed.text)
        const viewed = yield* call("GET", `/api/v1/groups/${group}`, { token: person.token })
        assert.strictEqual(viewed.status, 200, viewed.text)
      }
      // What the rebuild writes for each of them: inferred interests and a list of suggestions.
      for (const person of [leaving, staying]) {
        yield* sql`INSERT INTO recommendation_interests VALUES (${person.userId}, ARRAY[ROW('hiking', 1)::recommendation_interest])`
        yield* sql`INSERT INTO recommendations VALUES (${person.userId}, 'group', '{}', now())`
      }
      // The group views and sign-ups are written by the recorder within a second or so.
      const before = yield* eventually(
        Effect.flatMap(keptOf(leaving.userId), (kept) =>
          kept.activity >= 2 ? Effect.succeed(kept) : Effect.fail("activity not written yet")
        ),
        { timeout: "10 seconds" }
      ).pipe(Effect.orDie)
      assert.deepStrictEqual(
        { ...before, activity: before.activity > 0 },
        {
          places: 1,
          interests: 1,
          dismissals: 1,
          suggestions: 1,
          activity: true
        }
      )
      const bystanderBefore = yield* keptOf(staying.userId)

      const deleted = yield* call("DELETE", "/api/v1/me", { token: leaving.token })
      assert.strictEqual(deleted.status, 204, deleted.text)

      assert.deepStrictEqual(
        { ...(yield* keptOf(leaving.userId)) },
        { places: 0, interests: 0, dismissals: 0, suggestions: 0, activity: 0 }
      )
      assert.deepStrictEqual({ ...(yield* keptOf(staying.userId)) }, { ...bystanderBefore })
    })
  )
})
