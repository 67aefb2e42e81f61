import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId, InvitationId } from "@moim/domain/Groups/Group"
import { Effect, Exit, Option, Ref } from "effect"
import type { HttpServer } from "effect/http"
import { SqlClient } from "effect/sql"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import { type MoimRpcClient, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

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

/** One cell's fresh group, and a fresh member to act on. */
interface Scenario {
  readonly groupId: GroupId
  readonly target: UserId
}

/**
 * A fresh group owned by `owner`, where each actor stands where its name says: an admin, a member,
 * a pending join request (public groups), a pending invitation, a banned former member. Written
 * straight to the database: each cell of the matrix needs its own, and building them through the
 * API (which `Groups.test.ts` covers) would take minutes. `target` is a member to act on.
 */
const scenario = (world: World, visibility: "public" | "private") =>
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
    return { groupId, target } satisfies Scenario
  }).pipe(Effect.orDie)

type Expectation = readonly [status: number, tag?: string]
type RpcOutcome = Effect.Effect<unknown, { readonly _tag: string }>

interface Row {
  readonly operation: string
  readonly visibility: "public" | "private"
  readonly rest: (
    scenario: Scenario,
    world: World,
    token: string | undefined
  ) => Effect.Effect<JsonResponse, never, HttpServer.HttpServer>
  readonly rpc: (scenario: Scenario, world: World, client: MoimRpcClient) => RpcOutcome
  readonly expect: Record<ActorName, Expectation>
}

const unauthorized: Expectation = [401, "Unauthorized"]
const suspended: Expectation = [403, "AccountSuspended"]
const forbidden: Expectation = [403, "Forbidden"]
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

const rows: ReadonlyArray<Row> = [
  {
    operation: "get a public group",
    visibility: "public",
    rest: (s, _w, token) => call("GET", path(s), { token }),
    rpc: (s, _w, client) => client.GetGroup({ id: s.groupId }),
    expect: seeAll([200], [200])
  },
  {
    operation: "get a private group",
    visibility: "private",
    rest: (s, _w, token) => call("GET", path(s), { token }),
    rpc: (s, _w, client) => client.GetGroup({ id: s.groupId }),
    expect: seeAll([200], hidden)
  },
  {
    operation: "list members of a private group",
    visibility: "private",
    rest: (s, _w, token) => call("GET", path(s, "/members"), { token }),
    rpc: (s, _w, client) => client.ListGroupMembers({ id: s.groupId }),
    expect: seeAll([200], hidden)
  },
  {
    operation: "update",
    visibility: "public",
    rest: (s, _w, token) => call("PATCH", path(s), { token, body: { description: "Changed" } }),
    rpc: (s, _w, client) => client.UpdateGroup({ id: s.groupId, description: "Changed" }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "update a private group",
    visibility: "private",
    rest: (s, _w, token) => call("PATCH", path(s), { token, body: { description: "Changed" } }),
    rpc: (s, _w, client) => client.UpdateGroup({ id: s.groupId, description: "Changed" }),
    expect: { ...moderatorsOnly([200]), outsider: hidden, pending: hidden, invited: hidden, banned: hidden }
  },
  {
    operation: "delete",
    visibility: "public",
    rest: (s, _w, token) => call("DELETE", path(s), { token }),
    rpc: (s, _w, client) => client.DeleteGroup({ id: s.groupId }),
    expect: { ...moderatorsOnly([204]), admin: forbidden }
  },
  {
    operation: "join (approval policy)",
    visibility: "public",
    rest: (s, _w, token) => call("POST", path(s, "/join"), { token, body: {} }),
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
    rest: (s, _w, token) => call("POST", path(s, "/join"), { token, body: {} }),
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
    rest: (s, _w, token) => call("POST", path(s, "/leave"), { token }),
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
    operation: "list join requests",
    visibility: "public",
    rest: (s, _w, token) => call("GET", path(s, "/join-requests"), { token }),
    rpc: (s, _w, client) => client.ListJoinRequests({ id: s.groupId }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "approve a join request",
    visibility: "public",
    rest: (s, w, token) => call("POST", path(s, `/join-requests/${w.pending.userId}/approve`), { token }),
    rpc: (s, w, client) => client.ApproveJoinRequest({ id: s.groupId, userId: user(w.pending) }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "reject a join request",
    visibility: "public",
    rest: (s, w, token) => call("POST", path(s, `/join-requests/${w.pending.userId}/reject`), { token }),
    rpc: (s, w, client) => client.RejectJoinRequest({ id: s.groupId, userId: user(w.pending) }),
    expect: moderatorsOnly([204])
  },
  {
    operation: "invite a user",
    visibility: "public",
    rest: (s, w, token) => call("POST", path(s, "/invitations"), { token, body: { userId: w.outsider.userId } }),
    rpc: (s, w, client) => client.InviteToGroup({ id: s.groupId, invitee: { userId: user(w.outsider) } }),
    expect: { ...moderatorsOnly([201]), outsider: forbidden }
  },
  {
    operation: "list a group's invitations",
    visibility: "public",
    rest: (s, _w, token) => call("GET", path(s, "/invitations"), { token }),
    rpc: (s, _w, client) => client.ListGroupInvitations({ id: s.groupId }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "make a member an admin",
    visibility: "public",
    rest: (s, _w, token) => call("PATCH", path(s, `/members/${s.target}`), { token, body: { role: "admin" } }),
    rpc: (s, _w, client) => client.ChangeMemberRole({ id: s.groupId, userId: s.target, role: "admin" }),
    expect: { ...moderatorsOnly([200]), admin: forbidden, siteAdmin: forbidden }
  },
  {
    operation: "demote the owner",
    visibility: "public",
    rest: (s, w, token) => call("PATCH", path(s, `/members/${w.owner.userId}`), { token, body: { role: "member" } }),
    rpc: (s, w, client) => client.ChangeMemberRole({ id: s.groupId, userId: user(w.owner), role: "member" }),
    expect: { ...moderatorsOnly(forbidden), admin: forbidden, siteAdmin: forbidden }
  },
  {
    operation: "remove a member",
    visibility: "public",
    rest: (s, _w, token) => call("DELETE", path(s, `/members/${s.target}`), { token }),
    rpc: (s, _w, client) => client.RemoveMember({ id: s.groupId, userId: s.target }),
    expect: moderatorsOnly([204])
  },
  {
    operation: "remove an admin",
    visibility: "public",
    rest: (s, w, token) => call("DELETE", path(s, `/members/${w.admin.userId}`), { token }),
    rpc: (s, w, client) => client.RemoveMember({ id: s.groupId, userId: user(w.admin) }),
    expect: { ...moderatorsOnly([204]), admin: forbidden }
  },
  {
    operation: "ban a member",
    visibility: "public",
    rest: (s, _w, token) => call("POST", path(s, "/bans"), { token, body: { userId: s.target } }),
    rpc: (s, _w, client) => client.BanFromGroup({ id: s.groupId, userId: s.target }),
    expect: moderatorsOnly([201])
  },
  {
    operation: "list bans",
    visibility: "public",
    rest: (s, _w, token) => call("GET", path(s, "/bans"), { token }),
    rpc: (s, _w, client) => client.ListGroupBans({ id: s.groupId }),
    expect: moderatorsOnly([200])
  },
  {
    operation: "lift a ban",
    visibility: "public",
    rest: (s, w, token) => call("DELETE", path(s, `/bans/${w.banned.userId}`), { token }),
    rpc: (s, w, client) => client.UnbanFromGroup({ id: s.groupId, userId: user(w.banned) }),
    expect: moderatorsOnly([204])
  },
  {
    operation: "transfer ownership",
    visibility: "public",
    rest: (s, _w, token) => call("POST", path(s, "/transfer"), { token, body: { userId: s.target } }),
    rpc: (s, _w, client) => client.TransferOwnership({ id: s.groupId, userId: s.target }),
    expect: { ...moderatorsOnly([200]), admin: forbidden, siteAdmin: forbidden }
  }
]

const describeExpectation = ([status, tag]: Expectation) => `${status}${tag === undefined ? "" : ` ${tag}`}`

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })(
  "Group authorization matrix, one test per operation, REST and RPC",
  (it) => {
    // Signed up once for the file; every cell gets its own group (`scenario`).
    const world = Effect.cached(
      Effect.gen(function* () {
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
      })
    ).pipe(Effect.runSync)

    for (const row of rows) {
      it.effect(`REST: ${row.operation}`, () =>
        Effect.gen(function* () {
          const users = yield* world
          const failures: Array<string> = []
          for (const actor of actorNames) {
            const cell = yield* scenario(users, row.visibility)
            const response = yield* row.rest(cell, users, actor === "anonymous" ? undefined : users[actor].token)
            const [status, tag] = row.expect[actor]
            if (response.status !== status || (tag !== undefined && response.body._tag !== tag)) {
              failures.push(
                `as ${actor}: expected ${describeExpectation(row.expect[actor])}, got ${response.status} ${String(response.body._tag ?? "")}`
              )
            }
          }
          assert.deepStrictEqual(failures, [])
        })
      )

      it.effect(`RPC: ${row.operation}`, () => {
        const token = Ref.makeUnsafe(Option.none<string>())
        return withRpcClient("http", Ref.get(token), (client) =>
          Effect.gen(function* () {
            const users = yield* world
            const failures: Array<string> = []
            for (const actor of actorNames) {
              const cell = yield* scenario(users, row.visibility)
              yield* Ref.set(token, actor === "anonymous" ? Option.none() : Option.some(users[actor].token))
              const exit = yield* Effect.exit(row.rpc(cell, users, client))
              const [status, tag] = row.expect[actor]
              const got = Exit.isSuccess(exit)
                ? "success"
                : Option.match(Exit.findErrorOption(exit), { onNone: () => "defect", onSome: (error) => error._tag })
              const wanted = status < 400 ? "success" : (tag ?? "an error")
              if (got !== wanted) failures.push(`as ${actor}: expected ${wanted}, got ${got}`)
            }
            assert.deepStrictEqual(failures, [])
          })
        )
      })
    }
  }
)
