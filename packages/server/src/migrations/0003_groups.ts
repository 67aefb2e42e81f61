import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // `search` is written by the application with every change of name, tags or description
  // (array_to_string is not immutable, so it cannot be a generated column).
  yield* sql`
    CREATE TABLE groups (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      category text NOT NULL,
      tags text[] NOT NULL DEFAULT '{}',
      visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
      join_policy text NOT NULL CHECK (join_policy IN ('open', 'approval', 'invite')),
      member_limit integer CHECK (member_limit IS NULL OR member_limit > 0),
      image_key text,
      owner_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
      member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
      post_count integer NOT NULL DEFAULT 0 CHECK (post_count >= 0),
      search tsvector NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz
    )
  `
  yield* sql`CREATE INDEX groups_search_idx ON groups USING gin (search) WHERE deleted_at IS NULL AND visibility = 'public'`
  yield* sql`CREATE INDEX groups_tags_idx ON groups USING gin (tags) WHERE deleted_at IS NULL AND visibility = 'public'`
  yield* sql`CREATE INDEX groups_newest_idx ON groups (created_at DESC, id DESC) WHERE deleted_at IS NULL AND visibility = 'public'`
  yield* sql`CREATE INDEX groups_members_idx ON groups (member_count DESC, id DESC) WHERE deleted_at IS NULL AND visibility = 'public'`
  yield* sql`CREATE INDEX groups_category_newest_idx ON groups (category, created_at DESC, id DESC) WHERE deleted_at IS NULL AND visibility = 'public'`
  yield* sql`CREATE INDEX groups_category_members_idx ON groups (category, member_count DESC, id DESC) WHERE deleted_at IS NULL AND visibility = 'public'`
  yield* sql`CREATE INDEX groups_deleted_idx ON groups (deleted_at) WHERE deleted_at IS NOT NULL`
  yield* sql`CREATE INDEX groups_owner_idx ON groups (owner_id)`

  yield* sql`
    CREATE TABLE group_members (
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
      joined_at timestamptz NOT NULL,
      PRIMARY KEY (group_id, user_id)
    )
  `
  yield* sql`CREATE INDEX group_members_user_idx ON group_members (user_id, joined_at DESC, group_id)`
  yield* sql`CREATE INDEX group_members_list_idx ON group_members (group_id, joined_at, user_id)`
  yield* sql`CREATE INDEX group_members_role_idx ON group_members (group_id, role, joined_at, user_id)`

  yield* sql`
    CREATE TABLE group_join_requests (
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      message text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL,
      PRIMARY KEY (group_id, user_id)
    )
  `
  yield* sql`CREATE INDEX group_join_requests_list_idx ON group_join_requests (group_id, created_at, user_id)`

  yield* sql`
    CREATE TABLE group_invitations (
      id uuid PRIMARY KEY,
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      inviter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      invitee_id uuid REFERENCES users (id) ON DELETE CASCADE,
      email text,
      status text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      responded_at timestamptz,
      CHECK (invitee_id IS NOT NULL OR email IS NOT NULL)
    )
  `
  yield* sql`CREATE UNIQUE INDEX group_invitations_pending_user_key ON group_invitations (group_id, invitee_id) WHERE status = 'pending' AND invitee_id IS NOT NULL`
  yield* sql`CREATE UNIQUE INDEX group_invitations_pending_email_key ON group_invitations (group_id, email) WHERE status = 'pending' AND invitee_id IS NULL`
  yield* sql`CREATE INDEX group_invitations_invitee_idx ON group_invitations (invitee_id, created_at DESC) WHERE status = 'pending'`
  yield* sql`CREATE INDEX group_invitations_email_idx ON group_invitations (email) WHERE status = 'pending' AND invitee_id IS NULL`
  yield* sql`CREATE INDEX group_invitations_group_idx ON group_invitations (group_id, created_at DESC)`

  yield* sql`
    CREATE TABLE group_bans (
      group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      banned_by uuid REFERENCES users (id) ON DELETE SET NULL,
      reason text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL,
      PRIMARY KEY (group_id, user_id)
    )
  `
  yield* sql`CREATE INDEX group_bans_list_idx ON group_bans (group_id, created_at DESC, user_id)`
})
