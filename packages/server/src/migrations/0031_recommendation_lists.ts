import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Suggestions and inferred interests stored as arrays of a composite type instead of JSON: the
 * rebuild spent about half of its time building JSON objects for every suggestion and compressing
 * the resulting rows (a list of 20 as JSON passed the 2 kB at which Postgres compresses a row). An
 * item now holds what its reasons are made of (the words are the API's); a list of 20 is about
 * 1.4 kB, stored as is. The lists already built are carried over, so nobody's suggestions vanish
 * until the next rebuild.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One suggestion: the target, its score, and what its reasons are made of: the interest it
  // matches, how many friends and shared groups point at it, whether it is an event of the user's
  // own group or a person in their contacts, whether it is popular nearby, and how far it is (km).
  yield* sql`
    CREATE TYPE recommendation_item AS (
      id uuid, score integer, interest text, friends smallint, co smallint, your_group boolean,
      contact boolean, nearby boolean, km real
    )
  `
  yield* sql`CREATE TYPE recommendation_interest AS (interest text, weight real)`

  yield* sql`ALTER TABLE recommendations RENAME TO recommendations_json`
  yield* sql`ALTER INDEX recommendations_pkey RENAME TO recommendations_json_pkey`
  // Every user of a rebuild gets a row of each kind, empty when nothing was found, so the rebuild
  // replaces lists by upsert alone.
  yield* sql`
    CREATE TABLE recommendations (
      user_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('group', 'event', 'person')),
      items recommendation_item[] NOT NULL,
      built_at timestamptz(3) NOT NULL,
      PRIMARY KEY (user_id, kind)
    )
  `
  yield* sql`
    INSERT INTO recommendations (user_id, kind, items, built_at)
    SELECT r.user_id, r.kind,
      coalesce((
        SELECT array_agg(ROW(
          (e.item->>'id')::uuid,
          (e.item->>'score')::int,
          jsonb_path_query_first(e.item, '$.reasons[*] ? (@.kind == "interest").interest') #>> '{}',
          coalesce(jsonb_path_query_first(e.item, '$.reasons[*] ? (@.kind == "friends").count')::int, 0),
          coalesce(jsonb_path_query_first(e.item, '$.reasons[*] ? (@.kind == "co_membership").count')::int, 0),
          e.item->'reasons' @> '[{"kind": "your_group"}]',
          e.item->'reasons' @> '[{"kind": "contacts"}]',
          e.item->'reasons' @> '[{"kind": "popular_nearby"}]',
          (e.item->>'distanceKm')::real
        )::recommendation_item ORDER BY e.position)
        FROM jsonb_array_elements(r.items) WITH ORDINALITY AS e(item, position)
      ), '{}'),
      r.built_at
    FROM recommendations_json r
  `
  yield* sql`DROP TABLE recommendations_json`

  yield* sql`ALTER TABLE recommendation_interests RENAME TO recommendation_interests_rows`
  yield* sql`ALTER INDEX recommendation_interests_pkey RENAME TO recommendation_interests_rows_pkey`
  // A user's inferred interests, strongest first, as one row.
  yield* sql`
    CREATE TABLE recommendation_interests (
      user_id uuid PRIMARY KEY,
      interests recommendation_interest[] NOT NULL
    )
  `
  yield* sql`
    INSERT INTO recommendation_interests (user_id, interests)
    SELECT user_id, array_agg(ROW(interest, weight)::recommendation_interest ORDER BY weight DESC, interest)
    FROM recommendation_interests_rows GROUP BY user_id
  `
  yield* sql`DROP TABLE recommendation_interests_rows`
})
