import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // One row per app install that receives a user's pushes through FCM or APNs. A token names one
  // install at its push service, so it is unique per platform: registered again, it is updated (or
  // moves to whoever registered it last: a phone that changed hands).
  yield* sql`
    CREATE TABLE mobile_devices (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      platform text NOT NULL CHECK (platform IN ('fcm', 'apns')),
      token text NOT NULL,
      app_id text NOT NULL,
      device_name text,
      created_at timestamptz(3) NOT NULL,
      updated_at timestamptz(3) NOT NULL,
      UNIQUE (platform, token)
    )
  `
  yield* sql`CREATE INDEX mobile_devices_user_idx ON mobile_devices (user_id, updated_at DESC, id DESC)`

  // Which version (the notification's updated_at) each device was pushed, as push_deliveries does
  // for browsers: a job run again pushes nothing twice; a collapsed notification that changed, once more.
  yield* sql`
    CREATE TABLE mobile_push_deliveries (
      notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
      device_id uuid NOT NULL REFERENCES mobile_devices (id) ON DELETE CASCADE,
      version timestamptz(3) NOT NULL,
      PRIMARY KEY (notification_id, device_id)
    )
  `
  yield* sql`CREATE INDEX mobile_push_deliveries_device_idx ON mobile_push_deliveries (device_id)`
})
