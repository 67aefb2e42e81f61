import { createHmac, randomBytes } from "node:crypto"

/**
 * The SQL Moim runs for each read the benchmark measures, copied from the repositories
 * (`packages/server/src/Accounts/SessionsRepo.ts` and `UsersRepo.ts`, `packages/server/src/Groups/GroupsRepo.ts`)
 * with the same filters, order and limits, and the rows shaped into the same JSON. Keep them in
 * step when those queries change, or the ratios stop meaning anything.
 */

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
export const userById = { name: "user-by-id", text: "SELECT * FROM users WHERE id = $1" }

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
const groupColumns = `id, name, description, category, tags, visibility, join_policy, member_limit, image_key, owner_id,
  member_count, post_count, created_at, updated_at`

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
      .join(", ")}, m.role, m.joined_at FROM group_members m JOIN groups g ON g.id = m.group_id
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
  readonly image_key: string | null
  readonly owner_id: string
  readonly member_count: number
  readonly post_count: number
  readonly created_at: Date
  readonly updated_at: Date
  readonly rank?: number
  readonly role?: string
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
}

export interface SessionRow {
  readonly user_id: string
  readonly role: string
  readonly status: string
  readonly revoked: boolean
  readonly expired: boolean
  readonly stale: boolean
}

/** The seeded rows have no images or avatars, so the image URLs are always null here. */
export const toGroup = (row: GroupRow, viewer: { readonly status: string; readonly role: string | null } | null) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  category: row.category,
  tags: row.tags,
  visibility: row.visibility,
  joinPolicy: row.join_policy,
  memberLimit: row.member_limit,
  imageUrl: null,
  ownerId: row.owner_id,
  memberCount: row.member_count,
  postCount: row.post_count,
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
