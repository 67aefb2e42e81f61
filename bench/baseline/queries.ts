import { createHmac, randomBytes } from "node:crypto"
import { Version } from "@moim/domain/Version"
import type pg from "pg"

/**
 * The SQL Moim runs for each request the benchmark measures, copied from the repositories
 * (`packages/server/src/Accounts/SessionsRepo.ts` and `UsersRepo.ts`, `packages/server/src/Groups/GroupsRepo.ts`,
 * and for joining and leaving a group the statements listed above `lockGroup`) with the same filters,
 * order and limits, and the rows shaped into the same JSON. Keep them in step when those queries
 * change, or the ratios stop meaning anything.
 */

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `SessionsRepo.findForAuth`: run by Moim for every authenticated request. */
export const sessionForAuth = {
  name: "session-for-auth",
  text: `
    SELECT s.user_id, u.role, u.status, s.revoked_at IS NOT NULL AS revoked, s.expires_at <= now() AS expired,
      s.last_used_at < now() - interval '1 minute' AS stale
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = $1`
}

/** `SessionsRepo.touch` without a new expiry: once a minute per session. */
export const touchSession = {
  name: "touch-session",
  text: `
    UPDATE sessions SET last_used_at = now(), last_ip = coalesce($2, last_ip),
      user_agent = coalesce($3, user_agent)
    WHERE id = $1`
}

/** `UsersRepo.findById`. */
export const userById = {
  name: "user-by-id",
  // `UsersRepo.findWithPhone`: the account and its verified number in one query.
  text: `SELECT u.*, p.e164 AS phone_e164, p.verified_at AS phone_verified_at
         FROM users u LEFT JOIN phone_numbers p ON p.user_id = u.id
         WHERE u.id = $1`
}

/** `UsersRepo.searchProfiles`, first page. */
export const searchProfiles = {
  name: "search-profiles",
  text: `
    SELECT * FROM (
      SELECT id, nickname, bio, avatar_key, interests, created_at,
        greatest(similarity(lower(nickname), $1), CASE WHEN lower(nickname) LIKE $2 THEN 0.99 ELSE 0 END)::real AS score
      FROM users
      WHERE status = 'active' AND (lower(nickname) % $1 OR lower(nickname) LIKE $2)
    ) matches
    WHERE true
    ORDER BY score DESC, id ASC
    LIMIT $3`
}

/** `groupColumnList` of `GroupsRepo.ts`: every column but the `search` tsvector. */
const groupColumns = `id, name, description, category, tags, visibility, join_policy, member_limit, event_creation,
  image_key, owner_id, member_count, post_count, version, created_at, updated_at`

/** `GroupsRepo.find`. */
export const groupById = {
  name: "group-by-id",
  text: `SELECT ${groupColumns} FROM groups WHERE id = $1 AND deleted_at IS NULL`
}

/** `GroupsRepo.list` with `q` and `category`, sorted by relevance, first page. */
export const searchGroups = {
  name: "search-groups",
  text: `
    SELECT * FROM (
      SELECT ${groupColumns}, ts_rank_cd(search, to_tsquery('simple', $1))::real AS rank FROM groups
      WHERE deleted_at IS NULL AND visibility = 'public'
        AND search @@ to_tsquery('simple', $1)
        AND category = $2
        AND true
    ) found
    WHERE true
    ORDER BY rank DESC, id ASC
    LIMIT $3`
}

/** `GroupsRepo.listForMember`, first page. */
export const myGroups = {
  name: "my-groups",
  text: `
    SELECT ${groupColumns
      .split(",")
      .map((column) => `g.${column.trim()}`)
      .join(", ")}, m.role, m.post_notifications, m.joined_at FROM group_members m JOIN groups g ON g.id = m.group_id
    WHERE m.user_id = $1 AND g.deleted_at IS NULL
      AND true
    ORDER BY m.joined_at DESC, m.group_id DESC
    LIMIT $2`
}

/** `toTsQuery` of `platform/TextSearch.ts`: every word of the query is a prefix term. */
export const toTsQuery = (q: string): string | null => {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  return words.length === 0
    ? null
    : words
        .slice(0, 8)
        .map((word) => `${word}:*`)
        .join(" & ")
}

export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (match) => `\\${match}`)

export interface GroupRow {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly category: string
  readonly tags: ReadonlyArray<string>
  readonly visibility: string
  readonly join_policy: string
  readonly member_limit: number | null
  readonly event_creation: string
  readonly image_key: string | null
  readonly owner_id: string
  readonly member_count: number
  readonly post_count: number
  readonly version: number
  readonly created_at: Date
  readonly updated_at: Date
  readonly rank?: number
  readonly role?: string
  readonly post_notifications?: string
  readonly joined_at?: Date
}

export interface ProfileRow {
  readonly id: string
  readonly nickname: string
  readonly bio: string
  readonly avatar_key: string | null
  readonly interests: ReadonlyArray<string>
  readonly created_at: Date
  readonly score: number
}

export interface UserRow extends Omit<ProfileRow, "score"> {
  readonly email: string | null
  readonly role: string
  readonly status: string
  readonly email_verified_at: Date | null
  readonly updated_at: Date
  readonly phone_e164: string | null
  readonly phone_verified_at: Date | null
}

export interface SessionRow {
  readonly user_id: string
  readonly role: string
  readonly status: string
  readonly revoked: boolean
  readonly expired: boolean
  readonly stale: boolean
}

/** `GroupViews.viewer` of a member; who may create events is `GroupPolicy.canCreateEvents`. */
export const memberViewer = (row: GroupRow) => ({
  status: "member",
  role: row.role ?? null,
  postNotifications: row.post_notifications ?? null,
  canCreateEvents:
    row.role === "owner" || row.role === "admin" || (row.role === "member" && row.event_creation === "members")
})

/** The seeded rows have no images or avatars, so the image URLs are always null here. */
export const toGroup = (row: GroupRow, viewer: ReturnType<typeof memberViewer> | null) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  category: row.category,
  tags: row.tags,
  visibility: row.visibility,
  joinPolicy: row.join_policy,
  memberLimit: row.member_limit,
  eventCreation: row.event_creation,
  imageUrl: null,
  ownerId: row.owner_id,
  memberCount: row.member_count,
  postCount: row.post_count,
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  viewer
})

export const toProfile = (row: ProfileRow | UserRow) => ({
  id: row.id,
  nickname: row.nickname,
  bio: row.bio,
  avatarUrl: null,
  interests: row.interests,
  createdAt: row.created_at.toISOString()
})

export const toUser = (row: UserRow) => ({
  id: row.id,
  email: row.email ?? "",
  nickname: row.nickname,
  bio: row.bio,
  avatarUrl: null,
  interests: row.interests,
  role: row.role,
  status: row.status,
  emailVerifiedAt: row.email_verified_at?.toISOString() ?? null,
  phoneNumber: row.phone_e164,
  phoneVerifiedAt: row.phone_verified_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString()
})

const cursorKey = randomBytes(32)

/** `encode` of `packages/server/src/platform/Cursors.ts`: the position, signed with its list's scope. */
export const encodeCursor = (value: object) => {
  const json = JSON.stringify(value)
  const mac = createHmac("sha256", cursorKey).update("list").update("\n").update(json).digest().subarray(0, 16)
  return `${Buffer.from(json).toString("base64url")}.${mac.toString("base64url")}`
}

/** `Cursors.page`: `limit` items from `limit + 1` rows, and the cursor after the last. */
export const page = <Row, Item>(
  rows: ReadonlyArray<Row>,
  limit: number,
  toItem: (row: Row) => Item,
  toCursor: (row: Row) => object
) => {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items: items.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(toCursor(last)) : null
  }
}

/** `GraphRepo.feedAuthors`: whom the user follows, and their friends. */
export const feedAuthors = {
  name: "feed-authors",
  text: `
    SELECT user_id, bool_or(friend) AS friend FROM (
      SELECT followee_id AS user_id, false AS friend FROM follows WHERE follower_id = $1 AND status = 'active'
      UNION ALL
      SELECT high_id, true FROM friendships WHERE low_id = $1 AND status = 'accepted'
      UNION ALL
      SELECT low_id, true FROM friendships WHERE high_id = $1 AND status = 'accepted'
    ) authors GROUP BY user_id`
}

/** `MembershipsRepo.groupIdsOf`: the user's groups, at most 500. */
export const memberGroupIds = {
  name: "member-group-ids",
  text: `
    SELECT m.group_id FROM group_members m JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL
    WHERE m.user_id = $1 ORDER BY m.joined_at DESC LIMIT 500`
}

/** `PostsRepo.feed`, first page: $1 the viewer, $2 and $3 the authors and their levels, $4 the groups, $5 the limit. */
export const feed = {
  name: "feed",
  text: `
    SELECT x.id, x.created_at FROM unnest($2::uuid[], $3::int[]) AS s (author_id, level)
    CROSS JOIN LATERAL (
      SELECT p.id, p.created_at FROM posts p
      WHERE p.author_id = s.author_id AND p.group_id IS NULL AND p.deleted_at IS NULL
        AND (s.level = 2 OR (p.hidden_at IS NULL AND (p.audience IN ('public', 'followers')
          OR (s.level = 1 AND p.audience = 'friends')
          OR (p.audience = 'specific' AND $1::uuid = ANY(p.audience_user_ids)))))
      ORDER BY p.created_at DESC, p.id DESC LIMIT $5) x
    UNION ALL
    SELECT x.id, x.created_at FROM unnest($4::uuid[]) AS g (group_id)
    CROSS JOIN LATERAL (
      SELECT p.id, p.created_at FROM posts p
      WHERE p.group_id = g.group_id AND p.deleted_at IS NULL AND (p.hidden_at IS NULL OR p.author_id = $1)
      ORDER BY p.created_at DESC, p.id DESC LIMIT $5) x
    ORDER BY created_at DESC, id DESC
    LIMIT $5`
}

/** `PostsRepo.findMany` with the authors (`Profiles.getMany`) joined in. */
export const postsByIds = {
  name: "posts-by-ids",
  text: `
    SELECT p.id, p.group_id, p.audience, p.title, p.body, p.comment_count, p.created_at, p.edited_at,
      u.id AS author_id, u.nickname, u.bio, u.interests, u.created_at AS author_created_at
    FROM posts p JOIN users u ON u.id = p.author_id
    WHERE p.id = ANY($1::uuid[]) AND p.deleted_at IS NULL`
}

export interface FeedPostRow {
  readonly id: string
  readonly group_id: string | null
  readonly audience: string | null
  readonly title: string | null
  readonly body: string
  readonly comment_count: number
  readonly created_at: Date
  readonly edited_at: Date | null
  readonly author_id: string
  readonly nickname: string
  readonly bio: string
  readonly interests: ReadonlyArray<string>
  readonly author_created_at: Date
}

export const toFeedPost = (row: FeedPostRow) => ({
  id: row.id,
  author: {
    id: row.author_id,
    nickname: row.nickname,
    bio: row.bio,
    avatarUrl: null,
    interests: row.interests,
    createdAt: row.author_created_at.toISOString()
  },
  place: row.group_id === null ? { kind: "profile", userId: row.author_id } : { kind: "group", groupId: row.group_id },
  audience: row.audience,
  title: row.title,
  body: row.body,
  entities: [],
  attachments: [],
  commentCount: row.comment_count,
  createdAt: row.created_at.toISOString(),
  editedAt: row.edited_at?.toISOString() ?? null
})

/**
 * The home feed's first page as Moim reads it (`Feed`): the people the user follows and their
 * friends, with their levels, and the user's groups; the page of ids; then the posts themselves.
 */
export const feedPage = async (pool: pg.Pool, userId: string, limit: number) => {
  const [authors, groups] = await Promise.all([
    pool.query<{ user_id: string; friend: boolean }>({ ...feedAuthors, values: [userId] }),
    pool.query<{ group_id: string }>({ ...memberGroupIds, values: [userId] })
  ])
  const sources = [
    { id: userId, level: 2 },
    ...authors.rows.map((row) => ({ id: row.user_id, level: row.friend ? 1 : 0 }))
  ]
  const { rows } = await pool.query<{ id: string; created_at: Date }>({
    ...feed,
    values: [
      userId,
      sources.map((source) => source.id),
      sources.map((source) => source.level),
      groups.rows.map((row) => row.group_id),
      limit + 1
    ]
  })
  const posts = await pool.query<FeedPostRow>({ ...postsByIds, values: [rows.map((row) => row.id)] })
  const byId = new Map(posts.rows.map((row) => [row.id, row] as const))
  return page(
    rows.flatMap((row) => {
      const post = byId.get(row.id)
      return post === undefined ? [] : [post]
    }),
    limit,
    toFeedPost,
    (row) => ({ at: row.created_at.toISOString(), id: row.id })
  )
}

/** What `GET /api/v1/meta` answers with the bench's settings (Postgres, Redis, files on disk, no mail or SMS sent). */
export const meta = {
  name: "moim",
  version: Version,
  apiVersion: "v1",
  adapters: {
    database: "postgres",
    redis: "redis",
    storage: "disk",
    mailer: "outbox",
    sms: "outbox",
    jobs: "graphile-worker"
  },
  startedAt: new Date().toISOString()
}

/*
 * Joining and leaving a group: the statements of `Memberships.join` and `Memberships.leave`, in
 * their order, from `Groups/GroupsRepo.ts` (`lock`, `reserveSeat`, `releaseSeat`),
 * `Groups/MembershipsRepo.ts` (`standing`, `insertMember`, `deleteMember`, `deleteJoinRequest`),
 * `Groups/InvitationsRepo.ts` (`acceptFor`), `Realtime/StreamOutbox.ts` (`publish`),
 * `Chat/ChannelsRepo.ts` (what `Chat/ChatMembershipChanges.ts` runs), `Recommendations/SuggestionsRepo.ts`
 * (`dismiss`, run by `Recommendations/RecommendationSignals.ts`) and `platform/JobQueue.ts` (`enqueue`).
 */

/** `GroupsRepo.lock`: membership changes of one group serialise on its row. */
export const lockGroup = {
  name: "lock-group",
  text: `SELECT ${groupColumns} FROM groups WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`
}

/** `MembershipsRepo.standing`: always one row. Moim binds the two ids four times; the plan is the same. */
export const standing = {
  name: "standing",
  text: `
    SELECT
      member.role, member.post_notifications,
      EXISTS (SELECT 1 FROM group_join_requests WHERE group_id = $1 AND user_id = $2) AS pending,
      EXISTS (SELECT 1 FROM group_invitations WHERE group_id = $1 AND invitee_id = $2
        AND status = 'pending' AND expires_at > now()) AS invited,
      EXISTS (SELECT 1 FROM group_bans WHERE group_id = $1 AND user_id = $2) AS banned
    FROM (SELECT 1) AS one
    LEFT JOIN group_members member ON member.group_id = $1 AND member.user_id = $2`
}

export interface StandingRow {
  readonly role: string | null
  readonly post_notifications: string | null
  readonly pending: boolean
  readonly invited: boolean
  readonly banned: boolean
}

/** `GroupsRepo.reserveSeat`: no row when the group is full. */
export const reserveSeat = {
  name: "reserve-seat",
  text: `
    UPDATE groups SET member_count = member_count + 1, updated_at = now()
    WHERE id = $1 AND deleted_at IS NULL AND (member_limit IS NULL OR member_count < member_limit)
    RETURNING member_count`
}

/** `MembershipsRepo.insertMember`. */
export const insertMember = {
  name: "insert-member",
  text: "INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ($1, $2, $3, now())"
}

/** `MembershipsRepo.deleteJoinRequest`. */
export const deleteJoinRequest = {
  name: "delete-join-request",
  text: "DELETE FROM group_join_requests WHERE group_id = $1 AND user_id = $2 RETURNING user_id"
}

/** `InvitationsRepo.acceptFor`. */
export const acceptInvitation = {
  name: "accept-invitation",
  text: `
    UPDATE group_invitations SET status = 'accepted', responded_at = now()
    WHERE group_id = $1 AND invitee_id = $2 AND status = 'pending'`
}

/** `StreamOutbox.publish`, first statement: $1, $2, $3 the events' topics, types and JSON data. */
export const publish = {
  name: "publish",
  text: `
    INSERT INTO stream_outbox (topic, type, data)
    SELECT topic, type, data::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[]) AS published (topic, type, data)`
}

/** `StreamOutbox.publish`, second statement: wakes the sequencer. */
export const notifyOutbox = { name: "notify-outbox", text: "SELECT pg_notify($1, '')", values: ["moim_stream_outbox"] }

const channelColumns = `id, group_id, kind, name, topic, is_default, direct_key, created_by, archived_at, last_seq::text AS last_seq,
  last_message_at, member_count, created_at`

/** `ChannelsRepo.findDefault`: the group's `general` channel. */
export const defaultChannel = {
  name: "default-channel",
  text: `SELECT ${channelColumns} FROM chat_channels WHERE group_id = $1 AND is_default`
}

/** `ChannelsRepo.lockNames`, `nameTaken` and `insert`: creating `general` on a group's first join. */
export const lockChannelNames = {
  name: "lock-channel-names",
  text: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
}

export const channelNameTaken = {
  name: "channel-name-taken",
  text: `
    SELECT 1 FROM chat_channels
    WHERE group_id = $1 AND name = $2 AND ($3::uuid IS NULL OR id <> $3::uuid)`
}

export const insertChannel = {
  name: "insert-channel",
  text: `
    INSERT INTO chat_channels (id, group_id, kind, name, topic, is_default, direct_key, created_by, created_at,
      updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())
    ON CONFLICT DO NOTHING
    RETURNING ${channelColumns}`
}

/** `ChannelsRepo.addMember`: a row when the user was not in the channel yet. */
export const addChannelMember = {
  name: "add-channel-member",
  text: `
    WITH added AS (
      INSERT INTO chat_members (channel_id, user_id, role, last_read_seq, joined_at)
      SELECT $1, $2, $3, c.last_seq, now() FROM chat_channels c WHERE c.id = $4
      ON CONFLICT DO NOTHING
      RETURNING channel_id
    )
    UPDATE chat_channels SET member_count = member_count + 1
    WHERE id IN (SELECT channel_id FROM added)
    RETURNING id`
}

/** `ChannelsRepo.removeFromGroup`: the channels of the group the user left. */
export const removeFromGroupChannels = {
  name: "remove-from-group-channels",
  text: `
    WITH removed AS (
      DELETE FROM chat_members m USING chat_channels c
      WHERE c.id = m.channel_id AND c.group_id = $1 AND m.user_id = $2
      RETURNING m.channel_id
    )
    UPDATE chat_channels SET member_count = member_count - 1
    WHERE id IN (SELECT channel_id FROM removed)
    RETURNING id AS channel_id`
}

/** `MembershipsRepo.deleteMember`: no row when the user was not a member. */
export const deleteMember = {
  name: "delete-member",
  text: `
    DELETE FROM group_members WHERE group_id = $1 AND user_id = $2
    RETURNING user_id, role, joined_at`
}

/** `GroupsRepo.releaseSeat`. */
export const releaseSeat = {
  name: "release-seat",
  text: "UPDATE groups SET member_count = member_count - 1, updated_at = now() WHERE id = $1"
}

/** `SuggestionsRepo.dismiss`, first statement: the group is never suggested again. */
export const dismissSuggestion = {
  name: "dismiss-suggestion",
  text: `
    INSERT INTO recommendation_dismissals (user_id, kind, target_id, cause, created_at)
    VALUES ($1, $2, $3, $4, now())
    ON CONFLICT (user_id, kind, target_id) DO NOTHING`
}

/** `SuggestionsRepo.dismiss`, second statement: drops it from the stored suggestions now. */
export const dropSuggestion = {
  name: "drop-suggestion",
  text: `
    UPDATE recommendations SET items = ARRAY(
      SELECT items[n] FROM generate_subscripts(items, 1) AS n WHERE (items[n]).id <> $1::uuid ORDER BY n
    )
    WHERE user_id = $2 AND kind = $3
      AND EXISTS (SELECT 1 FROM unnest(items) AS i WHERE i.id = $1::uuid)`
}

/** `JobQueue.enqueue` of `RefreshRecommendations` (5 attempts, no queue, key or priority). */
export const addJob = {
  name: "add-job",
  text: `
    SELECT id::text FROM graphile_worker.add_job(
      $1,
      $2::json,
      queue_name => $3,
      run_at => $4::timestamptz,
      max_attempts => $5,
      job_key => $6,
      priority => $7
    )`
}
