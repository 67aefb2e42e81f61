import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Who follows whom. A follow of a private account waits (`pending`) until its owner approves.
  yield* sql`
    CREATE TABLE follows (
      follower_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      followee_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('active', 'pending')),
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (follower_id, followee_id),
      CHECK (follower_id <> followee_id)
    )
  `
  // A user's followers and requests, newest first; whom a user follows, newest first.
  yield* sql`CREATE INDEX follows_followee_idx ON follows (followee_id, status, created_at DESC, follower_id DESC)`
  yield* sql`CREATE INDEX follows_follower_idx ON follows (follower_id, status, created_at DESC, followee_id DESC)`

  // One row per pair of people (`low_id < high_id`), whoever asked first: a request, then a friendship.
  yield* sql`
    CREATE TABLE friendships (
      low_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      high_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      requester_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN ('pending', 'accepted')),
      created_at timestamptz(3) NOT NULL,
      -- When it was asked (pending) or accepted (accepted): what lists sort by.
      since timestamptz(3) NOT NULL,
      PRIMARY KEY (low_id, high_id),
      CHECK (low_id < high_id),
      CHECK (requester_id IN (low_id, high_id))
    )
  `
  // Each side's friends and requests, newest first, whichever side of the pair they are on.
  yield* sql`CREATE INDEX friendships_low_idx ON friendships (low_id, status, since DESC, high_id DESC)`
  yield* sql`CREATE INDEX friendships_high_idx ON friendships (high_id, status, since DESC, low_id DESC)`

  yield* sql`
    CREATE TABLE blocks (
      blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (blocker_id, blocked_id),
      CHECK (blocker_id <> blocked_id)
    )
  `
  yield* sql`CREATE INDEX blocks_blocker_idx ON blocks (blocker_id, created_at DESC, blocked_id DESC)`
  yield* sql`CREATE INDEX blocks_blocked_idx ON blocks (blocked_id, blocker_id)`

  // Counts on every profile, kept in the transaction of each change (rows locked in id order).
  yield* sql`
    CREATE TABLE social_counts (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      followers integer NOT NULL DEFAULT 0 CHECK (followers >= 0),
      following integer NOT NULL DEFAULT 0 CHECK (following >= 0),
      friends integer NOT NULL DEFAULT 0 CHECK (friends >= 0)
    )
  `

  // Privacy settings; a user without a row has the defaults.
  yield* sql`
    CREATE TABLE social_settings (
      user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      private_account boolean NOT NULL DEFAULT false,
      profile_details text NOT NULL DEFAULT 'everyone',
      default_post_audience text NOT NULL DEFAULT 'public',
      friends_list text NOT NULL DEFAULT 'everyone',
      last_active text NOT NULL DEFAULT 'friends',
      friend_requests text NOT NULL DEFAULT 'everyone',
      findable_by_phone boolean NOT NULL DEFAULT true,
      findable_by_email boolean NOT NULL DEFAULT true,
      updated_at timestamptz(3) NOT NULL
    )
  `

  // The home feed reads each followed author's newest profile posts: an index of profile posts alone
  // lets it stop after a page per author instead of reading (and sorting) all their posts.
  yield* sql`
    CREATE INDEX posts_profile_idx ON posts (author_id, created_at DESC, id DESC)
    WHERE group_id IS NULL AND deleted_at IS NULL`

  // Uploaded contacts, as keyed hashes of their numbers (`PhoneDirectory.hash`), never the numbers:
  // matched against verified numbers on upload, and when a number is verified later ("joined").
  yield* sql`
    CREATE TABLE contact_hashes (
      owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      hash text NOT NULL,
      created_at timestamptz(3) NOT NULL,
      PRIMARY KEY (owner_id, hash)
    )
  `
  yield* sql`CREATE INDEX contact_hashes_hash_idx ON contact_hashes (hash)`
})
