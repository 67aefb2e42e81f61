import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per browser subscription. An endpoint is one device's channel at its push service, so it
  // is unique: registered again, it is updated (or moves to whoever registered it last).
  yield* sql`
    CREATE TABLE push_subscriptions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      endpoint text NOT NULL UNIQUE,
      p256dh text NOT NULL,
      auth text NOT NULL,
      device_name text,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL
    )
  `
  yield* sql`CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id, updated_at DESC, id DESC)`

  // Which version (the notification's `updated_at`) each subscription was pushed: a job run again
  // pushes nothing twice, and a collapsed notification that changed is pushed once more.
  yield* sql`
    CREATE TABLE push_deliveries (
      notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
      subscription_id uuid NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
      version timestamptz(3) NOT NULL,
      PRIMARY KEY (notification_id, subscription_id)
    )
  `
  yield* sql`CREATE INDEX push_deliveries_subscription_idx ON push_deliveries (subscription_id)`
})
