import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { PostId } from "@moim/domain/Posts/Post"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  type Services,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName =
  | "anonymous"
  | "outsider"
  | "chosen"
  | "member"
  | "author"
  | "admin"
  | "owner"
  | "banned"
  | "siteAdmin"
  | "suspended"

const actorNames: ReadonlyArray<ActorName> = [
  "anonymous",
  "outsider",
  "chosen",
  "member",
  "author",
  "admin",
  "owner",
  "banned",
  "siteAdmin",
  "suspended"
]

type World = Record<Exclude<ActorName, "anonymous">, TestUser>

/** One cell's private group (owner, admin, member, author; banned), a post of the author's in it, and one on their profile for `chosen` alone. */
interface Scenario {
  readonly groupId: GroupId
  readonly postId: PostId
  readonly profilePostId: PostId
  readonly token: string | undefined
}

const scenario = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const groupId = GroupId.make(randomUUID())
    const postId = PostId.make(randomUUID())
    const profilePostId = PostId.make(randomUUID())
    const id = (user: TestUser) => UserId.make(user.userId)
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`
          INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
            member_count, post_count, search, created_at, updated_at)
          VALUES (${groupId}, 'Matrix posts', '', 'other', '{}'::text[], 'private', 'invite', NULL, ${id(world.owner)},
            4, 1, to_tsvector('simple', 'Matrix posts'), now(), now())`
        for (const [user, role] of [
          [world.owner, "owner"],
          [world.admin, "admin"],
          [world.member, "member"],
          [world.author, "member"]
        ] as const) {
          yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${id(user)}, ${role}, now())`
        }
        yield* sql`
          INSERT INTO group_bans (group_id, user_id, banned_by, reason, created_at)
          VALUES (${groupId}, ${id(world.banned)}, ${id(world.owner)}, '', now())`
        yield* sql`
          INSERT INTO posts (id, author_id, group_id, audience, title, body, search, created_at, activity_at)
          VALUES (${postId}, ${id(world.author)}, ${groupId}, NULL, 'Matrix', 'In the group',
            to_tsvector('simple', 'matrixword in the group'), now(), now())`
        yield* sql`
          INSERT INTO posts (id, author_id, group_id, audience, audience_user_ids, title, body, search, created_at, activity_at)
          VALUES (${profilePostId}, ${id(world.author)}, NULL, 'specific', ARRAY[${id(world.chosen)}]::uuid[], NULL,
            'For one person', to_tsvector('simple', 'matrixword for one person'), now(), now())`
      })
    )
    return {
      groupId,
      postId,
      profilePostId,
      token: actor === "anonymous" ? undefined : world[actor].token
    } satisfies Scenario
  }).pipe(Effect.orDie)

const postNotFound: Expectation = [404, "PostNotFound"]
const groupNotFound: Expectation = [404, "GroupNotFound"]

/** Who may see the group's post: its members and site admins; to everyone else it does not exist. */
const inGroup = (members: Expectation, others: Expectation = postNotFound): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  outsider: others,
  chosen: others,
  member: members,
  author: members,
  admin: members,
  owner: members,
  banned: others,
  siteAdmin: members,
  suspended
})

/** The author and the group's moderators (and site admins) may; other members are refused. */
const authorOrModerators = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success),
  member: forbidden
})

/** The group's moderators (and site admins) may. */
const moderators = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success),
  member: forbidden,
  author: forbidden
})

const readers = (expect: Record<ActorName, Expectation>): Record<ActorName, Expectation> => expect

const rows: ReadonlyArray<Row<ActorName, World, Scenario, Services>> = [
  {
    operation: "read a post of a private group",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.postId}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetPost({ id: s.postId }),
    expect: readers({ ...inGroup([200]), anonymous: postNotFound, suspended: postNotFound })
  },
  {
    operation: "read a post meant for one person",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.profilePostId}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetPost({ id: s.profilePostId }),
    expect: {
      anonymous: postNotFound,
      outsider: postNotFound,
      chosen: [200],
      member: postNotFound,
      author: [200],
      admin: postNotFound,
      owner: postNotFound,
      banned: postNotFound,
      siteAdmin: [200],
      suspended: postNotFound
    }
  },
  {
    operation: "post in the group",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/groups/${s.groupId}/posts`, { token: s.token, body: { body: "Hello" } }),
    rpc: (s, _w, client) => client.CreateGroupPost({ id: s.groupId, body: "Hello" }),
    expect: { ...inGroup([201], groupNotFound), siteAdmin: forbidden }
  },
  {
    operation: "post on one's profile",
    setup: scenario,
    rest: (s) => call("POST", "/api/v1/me/posts", { token: s.token, body: { body: "Hello" } }),
    rpc: (_s, _w, client) => client.CreateProfilePost({ body: "Hello" }),
    expect: {
      anonymous: unauthorized,
      outsider: [201],
      chosen: [201],
      member: [201],
      author: [201],
      admin: [201],
      owner: [201],
      banned: [201],
      siteAdmin: [201],
      suspended
    }
  },
  {
    operation: "edit the post",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/posts/${s.postId}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.UpdatePost({ id: s.postId, body: "Edited" }),
    expect: { ...inGroup(forbidden), author: [200] }
  },
  {
    operation: "edit the profile post",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/posts/${s.profilePostId}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.UpdatePost({ id: s.profilePostId, body: "Edited" }),
    expect: {
      anonymous: unauthorized,
      outsider: postNotFound,
      chosen: forbidden,
      member: postNotFound,
      author: [200],
      admin: postNotFound,
      owner: postNotFound,
      banned: postNotFound,
      siteAdmin: forbidden,
      suspended
    }
  },
  {
    operation: "read the post's earlier versions",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.postId}/versions`, { token: s.token }),
    rpc: (s, _w, client) => client.ListPostVersions({ id: s.postId }),
    expect: authorOrModerators([200])
  },
  {
    operation: "delete the post",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}`, { token: s.token }),
    rpc: (s, _w, client) => client.DeletePost({ id: s.postId }),
    expect: authorOrModerators([204])
  },
  {
    operation: "pin the post",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/posts/${s.postId}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.PinPost({ id: s.postId }),
    expect: moderators([200])
  },
  {
    operation: "unpin the post",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.UnpinPost({ id: s.postId }),
    expect: moderators([200])
  },
  {
    operation: "lock the post's comments",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/posts/${s.postId}/comments-lock`, { token: s.token }),
    rpc: (s, _w, client) => client.LockPostComments({ id: s.postId }),
    expect: authorOrModerators([200])
  },
  {
    operation: "unlock the post's comments",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}/comments-lock`, { token: s.token }),
    rpc: (s, _w, client) => client.UnlockPostComments({ id: s.postId }),
    expect: authorOrModerators([200])
  },
  {
    operation: "list the group's posts",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/groups/${s.groupId}/posts`, { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupPosts({ id: s.groupId }),
    expect: readers({ ...inGroup([200], groupNotFound), anonymous: groupNotFound, suspended: groupNotFound })
  },
  {
    operation: "list the author's posts",
    setup: scenario,
    rest: (s, w) => call("GET", `/api/v1/users/${w.author.userId}/posts`, { token: s.token }),
    rpc: (_s, w, client) => client.ListUserPosts({ id: UserId.make(w.author.userId) }),
    expect: readers({ ...inGroup([200], [200]), anonymous: [200], suspended: [200] })
  },
  {
    operation: "search posts",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/posts?q=matrixword", { token: s.token }),
    rpc: (_s, _w, client) => client.SearchPosts({ q: "matrixword" }),
    expect: readers({ ...inGroup([200], [200]), anonymous: [200], suspended: [200] })
  }
]

describeMatrix("Post authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const users: World = {
      outsider: yield* signUp("Outsider"),
      chosen: yield* signUp("Chosen"),
      member: yield* signUp("Member"),
      author: yield* signUp("Author"),
      admin: yield* signUp("Admin"),
      owner: yield* signUp("Owner"),
      banned: yield* signUp("Banned"),
      siteAdmin: yield* siteAdmin,
      suspended: yield* suspendedUser
    }
    return users
  }).pipe(Effect.orDie),
  rows
})
