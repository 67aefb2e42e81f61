import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId, InvitationId } from "@moim/domain/Groups/Group"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  asBatch,
  batchRest,
  batchRpc,
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName =
  | "anonymous"
  | "outsider"
  | "pending"
  | "invited"
  | "member"
  | "admin"
  | "owner"
  | "banned"
  | "siteAdmin"
  | "suspended"

const actorNames: ReadonlyArray<ActorName> = [
  "anonymous",
  "outsider",
  "pending",
  "invited",
  "member",
  "admin",
  "owner",
  "banned",
  "siteAdmin",
  "suspended"
]

type World = Record<Exclude<ActorName, "anonymous">, TestUser>

/** One cell's fresh group, a fresh member to act on, and the actor's token. */
interface Scenario {
  readonly groupId: GroupId
  readonly target: UserId
  readonly token: string | undefined
}

/**
 * A fresh group owned by `owner`, where each actor stands where its name says: an admin, a member,
 * a pending join request (public groups), a pending invitation, a banned former member. Written
 * straight to the database: each cell of the matrix needs its own, and building them through the
 * API (which `Groups.test.ts` covers) would take minutes. `target` is a member to act on.
 */
const scenario = (world: World, visibility: "public" | "private", actor: ActorName) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const groupId = GroupId.make(randomUUID())
    const target = UserId.make(randomUUID())
    const id = (user: TestUser) => UserId.make(user.userId)
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`
          INSERT INTO users (id, email, password_hash, nickname, role, created_at, updated_at)
          VALUES (${target}, ${`target-${target}@example.com`}, NULL, 'Target', 'user', now(), now())`
        yield* sql`
          INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
            member_count, search, created_at, updated_at)
          VALUES (${groupId}, 'Matrix group', '', 'games', '{}'::text[], ${visibility}, 'approval', NULL,
            ${id(world.owner)}, 4, to_tsvector('simple', 'Matrix group'), now(), now())`
        for (const [user, role] of [
          [id(world.owner), "owner"],
          [id(world.admin), "admin"],
          [id(world.member), "member"],
          [target, "member"]
        ] as const) {
          yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${user}, ${role}, now())`
        }
        yield* sql`
          INSERT INTO group_bans (group_id, user_id, banned_by, reason, created_at)
          VALUES (${groupId}, ${id(world.banned)}, ${id(world.owner)}, '', now())`
        yield* sql`
          INSERT INTO group_invitations (id, group_id, inviter_id, invitee_id, email, status, created_at, expires_at)
          VALUES (${InvitationId.make(randomUUID())}, ${groupId}, ${id(world.owner)}, ${id(world.invited)}, NULL,
            'pending', now(), now() + interval '14 days')`
        if (visibility === "public") {
          yield* sql`
            INSERT INTO group_join_requests (group_id, user_id, message, created_at)
            VALUES (${groupId}, ${id(world.pending)}, '', now())`
        }
      })
    )
    return { groupId, target, token: actor === "anonymous" ? undefined : world[actor].token } satisfies Scenario
  }).pipe(Effect.orDie)

type GroupRow = Omit<Row<ActorName, World, Scenario, SqlClient.SqlClient>, "setup"> & {
  readonly visibility: "public" | "private"
}

const hidden: Expectation = [404, "GroupNotFound"]

/** Everyone but the owner, admins and site admins is refused with `Forbidden` (anonymous: 401). */
const moderatorsOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  outsider: forbidden,
  pending: forbidden,
  invited: forbidden,
  member: forbidden,
  admin: success,
  owner: success,
  banned: forbidden,
  siteAdmin: success,
  suspended
})

const seeAll = (success: Expectation, unseen: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unseen,
  outsider: unseen,
  pending: unseen,
  invited: unseen,
  member: success,
  admin: success,
  owner: success,
  banned: unseen,
  siteAdmin: success,
  suspended: unseen
})

const path = (scenario: Scenario, rest = "") => `/api/v1/groups/${scenario.groupId}${rest}`
const user = (member: TestUser) => UserId.make(member.userId)

const rows: ReadonlyArray<GroupRow> = [
  {
    operation: "get a public group",
    visibility: "public",
    rest: (s) => call("GET", path(s), { token: s.token }),
    rpc: (s, _w, client) => client.GetGroup({ id: s.groupId }),
    expect: seeAll([200], [200])
  },
  {
    operation: "get a private group",
    visibility: "private",
    rest: (s) => call("GET", path(s), { token: s.token }),
    rpc: (s, _w, client) => client.GetGroup({ id: s.groupId }),
    expect: seeAll([200], hidden)
  },
  {
    operation: "batch read a public group",
    visibility: "public",
    rest: (s) => batchRest(s.groupId, call("GET", `/api/v1/groups/by-ids?ids=${s.groupId}`, { token: s.token })),
    rpc: (s, _w, client) => batchRpc(s.groupId, client.GetGroupsByIds({ ids: [s.groupId] })),
    expect: asBatch(seeAll([200], [200]))
  },
  {
    operation: "batch read a private group",
    visibility: "private",
    rest: (s) => batchRest(s.groupId, call("GET", `/api/v1/groups/by-ids?ids=${s.groupId}`, { token: s.token })),
    rpc: (s, _w, client) => batchRpc(s.groupId, client.GetGroupsByIds({ ids: [s.groupId] })),
    expect: asBatch(seeAll([200], hidden))
  },
  {
    operation: "list members of a private group",
    visibility: "private",
    rest: (s) => call("GET", path(s, "/members"), { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupMembers({ id: s.groupId }),
    expect: seeAll([200], hidden)
  },
  {
    operation: "update",
    visibility: "public",
    rest: (s) => call("PATCH", path(s), { token: s.token, body: { description: "Changed" } }),
    rpc: (s, _w, client) => client.UpdateGroup({ id: s.groupId, description: "Changed" }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "update a private group",
    visibility: "private",
    rest: (s) => call("PATCH", path(s), { token: s.token, body: { description: "Changed" } }),
    rpc: (s, _w, client) => client.UpdateGroup({ id: s.groupId, description: "Changed" }),
    expect: { ...moderatorsOnly([200]), outsider: hidden, pending: hidden, invited: hidden, banned: hidden }
  },
  {
    operation: "delete",
    visibility: "public",
    rest: (s) => call("DELETE", path(s), { token: s.token }),
    rpc: (s, _w, client) => client.DeleteGroup({ id: s.groupId }),
    expect: { ...moderatorsOnly([204]), admin: forbidden }
  },
  {
    operation: "join (approval policy)",
    visibility: "public",
    rest: (s) => call("POST", path(s, "/join"), { token: s.token, body: {} }),
    rpc: (s, _w, client) => client.JoinGroup({ id: s.groupId }),
    expect: {
      anonymous: unauthorized,
      outsider: [200],
      pending: [200],
      invited: [200],
      member: [409, "AlreadyMember"],
      admin: [409, "AlreadyMember"],
      owner: [409, "AlreadyMember"],
      banned: [403, "BannedFromGroup"],
      siteAdmin: [200],
      suspended
    }
  },
  {
    operation: "join a private group",
    visibility: "private",
    rest: (s) => call("POST", path(s, "/join"), { token: s.token, body: {} }),
    rpc: (s, _w, client) => client.JoinGroup({ id: s.groupId }),
    expect: {
      ...seeAll([409, "AlreadyMember"], hidden),
      anonymous: unauthorized,
      siteAdmin: [200],
      suspended
    }
  },
  {
    operation: "leave",
    visibility: "public",
    rest: (s) => call("POST", path(s, "/leave"), { token: s.token }),
    rpc: (s, _w, client) => client.LeaveGroup({ id: s.groupId }),
    expect: {
      anonymous: unauthorized,
      outsider: [404, "NotAMember"],
      pending: [204],
      invited: [404, "NotAMember"],
      member: [204],
      admin: [204],
      owner: [409, "OwnerCannotLeave"],
      banned: [404, "NotAMember"],
      siteAdmin: [404, "NotAMember"],
      suspended
    }
  },
  {
    operation: "choose which posts notify you",
    visibility: "private",
    rest: (s) => call("PUT", path(s, "/post-notifications"), { token: s.token, body: { level: "all" } }),
    rpc: (s, _w, client) => client.SetGroupPostNotifications({ id: s.groupId, level: "all" }),
    expect: {
      ...seeAll([404, "NotAMember"], hidden),
      member: [200],
      admin: [200],
      owner: [200],
      anonymous: unauthorized,
      suspended
    }
  },
  {
    operation: "list join requests",
    visibility: "public",
    rest: (s) => call("GET", path(s, "/join-requests"), { token: s.token }),
    rpc: (s, _w, client) => client.ListJoinRequests({ id: s.groupId }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "approve a join request",
    visibility: "public",
    rest: (s, w) => call("POST", path(s, `/join-requests/${w.pending.userId}/approve`), { token: s.token }),
    rpc: (s, w, client) => client.ApproveJoinRequest({ id: s.groupId, userId: user(w.pending) }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "reject a join request",
    visibility: "public",
    rest: (s, w) => call("POST", path(s, `/join-requests/${w.pending.userId}/reject`), { token: s.token }),
    rpc: (s, w, client) => client.RejectJoinRequest({ id: s.groupId, userId: user(w.pending) }),
    expect: moderatorsOnly([204])
  },
  {
    operation: "invite a user",
    visibility: "public",
    rest: (s, w) => call("POST", path(s, "/invitations"), { token: s.token, body: { userId: w.outsider.userId } }),
    rpc: (s, w, client) => client.InviteToGroup({ id: s.groupId, invitee: { userId: user(w.outsider) } }),
    expect: { ...moderatorsOnly([201]), outsider: forbidden }
  },
  {
    operation: "list a group's invitations",
    visibility: "public",
    rest: (s) => call("GET", path(s, "/invitations"), { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupInvitations({ id: s.groupId }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "make a member an admin",
    visibility: "public",
    rest: (s) => call("PATCH", path(s, `/members/${s.target}`), { token: s.token, body: { role: "admin" } }),
    rpc: (s, _w, client) => client.ChangeMemberRole({ id: s.groupId, userId: s.target, role: "admin" }),
    expect: { ...moderatorsOnly([200]), admin: forbidden, siteAdmin: forbidden }
  },
  {
    operation: "demote the owner",
    visibility: "public",
    rest: (s, w) => call("PATCH", path(s, `/members/${w.owner.userId}`), { token: s.token, body: { role: "member" } }),
    rpc: (s, w, client) => client.ChangeMemberRole({ id: s.groupId, userId: user(w.owner), role: "member" }),
    expect: { ...moderatorsOnly(forbidden), admin: forbidden, siteAdmin: forbidden }
  },
  {
    operation: "remove a member",
    visibility: "public",
    rest: (s) => call("DELETE", path(s, `/members/${s.target}`), { token: s.token }),
    rpc: (s, _w, client) => client.RemoveMember({ id: s.groupId, userId: s.target }),
    expect: moderatorsOnly([204])
  },
  {
    operation: "remove an admin",
    visibility: "public",
    rest: (s, w) => call("DELETE", path(s, `/members/${w.admin.userId}`), { token: s.token }),
    rpc: (s, w, client) => client.RemoveMember({ id: s.groupId, userId: user(w.admin) }),
    expect: { ...moderatorsOnly([204]), admin: forbidden }
  },
  {
    operation: "ban a member",
    visibility: "public",
    rest: (s) => call("POST", path(s, "/bans"), { token: s.token, body: { userId: s.target } }),
    rpc: (s, _w, client) => client.BanFromGroup({ id: s.groupId, userId: s.target }),
    expect: moderatorsOnly([201])
  },
  {
    operation: "list bans",
    visibility: "public",
    rest: (s) => call("GET", path(s, "/bans"), { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupBans({ id: s.groupId }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "lift a ban",
    visibility: "public",
    rest: (s, w) => call("DELETE", path(s, `/bans/${w.banned.userId}`), { token: s.token }),
    rpc: (s, w, client) => client.UnbanFromGroup({ id: s.groupId, userId: user(w.banned) }),
    expect: moderatorsOnly([204])
  },
  {
    operation: "transfer ownership",
    visibility: "public",
    rest: (s) => call("POST", path(s, "/transfer"), { token: s.token, body: { userId: s.target } }),
    rpc: (s, _w, client) => client.TransferOwnership({ id: s.groupId, userId: s.target }),
    expect: { ...moderatorsOnly([200]), admin: forbidden, siteAdmin: forbidden }
  }
]

describeMatrix("Group authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  // Signed up once for the file; every cell gets its own group (`scenario`).
  world: Effect.gen(function* () {
    const users: World = {
      outsider: yield* signUp("Outsider"),
      pending: yield* signUp("Pending"),
      invited: yield* signUp("Invited"),
      member: yield* signUp("Member"),
      admin: yield* signUp("Admin"),
      owner: yield* signUp("Owner"),
      banned: yield* signUp("Banned"),
      siteAdmin: yield* siteAdmin,
      suspended: yield* suspendedUser
    }
    return users
  }).pipe(Effect.orDie),
  rows: rows.map((row) => ({
    ...row,
    setup: (world: World, actor: ActorName) => scenario(world, row.visibility, actor)
  }))
})
