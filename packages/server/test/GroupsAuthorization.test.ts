import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { HttpServer } from "effect/http"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
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

interface World {
  readonly users: Record<Exclude<ActorName, "anonymous">, TestUser>
}

interface Scenario {
  readonly groupId: string
  readonly target: TestUser
}

const must = (response: JsonResponse, status: number, what: string) => {
  if (response.status !== status)
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`)
  return response
}

/**
 * A fresh group owned by `owner`, where each actor stands where its name says: an admin, a member,
 * a pending join request, a pending invitation, a banned former member. `target` is a fresh member
 * for operations that act on someone.
 */
const scenario = (world: World, visibility: "public" | "private") =>
  Effect.gen(function* () {
    const { users } = world
    const owner = users.owner.token
    const created = must(
      yield* call("POST", "/api/v1/groups", {
        token: owner,
        body: { name: "Matrix group", category: "games", visibility, joinPolicy: "approval" }
      }),
      201,
      "create"
    )
    const groupId = String(created.body.id)
    const target = yield* signUp("Target")
    for (const user of [users.admin, users.member, users.banned, target]) {
      const invitation = must(
        yield* call("POST", `/api/v1/groups/${groupId}/invitations`, { token: owner, body: { userId: user.userId } }),
        201,
        "invite"
      )
      must(
        yield* call("POST", `/api/v1/invitations/${invitation.body.id}/accept`, { token: user.token }),
        200,
        "accept"
      )
    }
    must(
      yield* call("PATCH", `/api/v1/groups/${groupId}/members/${users.admin.userId}`, {
        token: owner,
        body: { role: "admin" }
      }),
      200,
      "promote"
    )
    must(
      yield* call("POST", `/api/v1/groups/${groupId}/bans`, { token: owner, body: { userId: users.banned.userId } }),
      201,
      "ban"
    )
    must(
      yield* call("POST", `/api/v1/groups/${groupId}/invitations`, {
        token: owner,
        body: { userId: users.invited.userId }
      }),
      201,
      "invite pending"
    )
    if (visibility === "public") {
      must(
        yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: users.pending.token, body: {} }),
        200,
        "request"
      )
    }
    return { groupId, target } satisfies Scenario
  })

type Expectation = readonly [status: number, tag?: string]
type Row = {
  readonly operation: string
  readonly visibility: "public" | "private"
  readonly run: (
    scenario: Scenario,
    world: World,
    token: string | undefined
  ) => Effect.Effect<JsonResponse, never, HttpServer.HttpServer>
  readonly expect: Record<ActorName, Expectation>
}

const unauthorized: Expectation = [401, "Unauthorized"]
const suspended: Expectation = [403, "AccountSuspended"]
const forbidden: Expectation = [403, "Forbidden"]
const hidden: Expectation = [404, "GroupNotFound"]

/** Everyone but the owner, admins and site admins is refused with `Forbidden` (anonymous: 401). */
const moderatorsOnly = (success: number): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  outsider: forbidden,
  pending: forbidden,
  invited: forbidden,
  member: forbidden,
  admin: [success],
  owner: [success],
  banned: forbidden,
  siteAdmin: [success],
  suspended
})

const path = (scenario: Scenario, rest = "") => `/api/v1/groups/${scenario.groupId}${rest}`

const rows: ReadonlyArray<Row> = [
  {
    operation: "get a public group",
    visibility: "public",
    run: (s, _w, token) => call("GET", path(s), { token }),
    expect: {
      anonymous: [200],
      outsider: [200],
      pending: [200],
      invited: [200],
      member: [200],
      admin: [200],
      owner: [200],
      banned: [200],
      siteAdmin: [200],
      suspended: [200]
    }
  },
  {
    operation: "get a private group",
    visibility: "private",
    run: (s, _w, token) => call("GET", path(s), { token }),
    expect: {
      anonymous: hidden,
      outsider: hidden,
      pending: hidden,
      invited: hidden,
      member: [200],
      admin: [200],
      owner: [200],
      banned: hidden,
      siteAdmin: [200],
      suspended: hidden
    }
  },
  {
    operation: "list members of a private group",
    visibility: "private",
    run: (s, _w, token) => call("GET", path(s, "/members"), { token }),
    expect: {
      anonymous: hidden,
      outsider: hidden,
      pending: hidden,
      invited: hidden,
      member: [200],
      admin: [200],
      owner: [200],
      banned: hidden,
      siteAdmin: [200],
      suspended: hidden
    }
  },
  {
    operation: "update",
    visibility: "public",
    run: (s, _w, token) => call("PATCH", path(s), { token, body: { description: "Changed" } }),
    expect: moderatorsOnly(200)
  },
  {
    operation: "update a private group",
    visibility: "private",
    run: (s, _w, token) => call("PATCH", path(s), { token, body: { description: "Changed" } }),
    expect: { ...moderatorsOnly(200), outsider: hidden, pending: hidden, invited: hidden, banned: hidden }
  },
  {
    operation: "delete",
    visibility: "public",
    run: (s, _w, token) => call("DELETE", path(s), { token }),
    expect: { ...moderatorsOnly(204), admin: forbidden }
  },
  {
    operation: "join (approval policy)",
    visibility: "public",
    run: (s, _w, token) => call("POST", path(s, "/join"), { token, body: {} }),
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
    run: (s, _w, token) => call("POST", path(s, "/join"), { token, body: {} }),
    expect: {
      anonymous: unauthorized,
      outsider: hidden,
      pending: hidden,
      invited: hidden,
      member: [409, "AlreadyMember"],
      admin: [409, "AlreadyMember"],
      owner: [409, "AlreadyMember"],
      banned: hidden,
      siteAdmin: [200],
      suspended
    }
  },
  {
    operation: "leave",
    visibility: "public",
    run: (s, _w, token) => call("POST", path(s, "/leave"), { token }),
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
    run: (s, _w, token) => call("GET", path(s, "/join-requests"), { token }),
    expect: moderatorsOnly(200)
  },
  {
    operation: "approve a join request",
    visibility: "public",
    run: (s, w, token) => call("POST", path(s, `/join-requests/${w.users.pending.userId}/approve`), { token }),
    expect: moderatorsOnly(200)
  },
  {
    operation: "reject a join request",
    visibility: "public",
    run: (s, w, token) => call("POST", path(s, `/join-requests/${w.users.pending.userId}/reject`), { token }),
    expect: moderatorsOnly(204)
  },
  {
    operation: "invite a user",
    visibility: "public",
    run: (s, w, token) => call("POST", path(s, "/invitations"), { token, body: { userId: w.users.outsider.userId } }),
    expect: { ...moderatorsOnly(201), outsider: forbidden }
  },
  {
    operation: "list a group's invitations",
    visibility: "public",
    run: (s, _w, token) => call("GET", path(s, "/invitations"), { token }),
    expect: moderatorsOnly(200)
  },
  {
    operation: "make a member an admin",
    visibility: "public",
    run: (s, _w, token) => call("PATCH", path(s, `/members/${s.target.userId}`), { token, body: { role: "admin" } }),
    expect: { ...moderatorsOnly(200), admin: forbidden, siteAdmin: forbidden }
  },
  {
    operation: "demote the owner",
    visibility: "public",
    run: (s, w, token) =>
      call("PATCH", path(s, `/members/${w.users.owner.userId}`), { token, body: { role: "member" } }),
    expect: { ...moderatorsOnly(403), admin: forbidden, siteAdmin: forbidden }
  },
  {
    operation: "remove a member",
    visibility: "public",
    run: (s, _w, token) => call("DELETE", path(s, `/members/${s.target.userId}`), { token }),
    expect: moderatorsOnly(204)
  },
  {
    operation: "remove an admin",
    visibility: "public",
    run: (s, w, token) => call("DELETE", path(s, `/members/${w.users.admin.userId}`), { token }),
    expect: { ...moderatorsOnly(204), admin: forbidden }
  },
  {
    operation: "ban a member",
    visibility: "public",
    run: (s, _w, token) => call("POST", path(s, "/bans"), { token, body: { userId: s.target.userId } }),
    expect: moderatorsOnly(201)
  },
  {
    operation: "list bans",
    visibility: "public",
    run: (s, _w, token) => call("GET", path(s, "/bans"), { token }),
    expect: moderatorsOnly(200)
  },
  {
    operation: "lift a ban",
    visibility: "public",
    run: (s, w, token) => call("DELETE", path(s, `/bans/${w.users.banned.userId}`), { token }),
    expect: moderatorsOnly(204)
  },
  {
    operation: "transfer ownership",
    visibility: "public",
    run: (s, _w, token) => call("POST", path(s, "/transfer"), { token, body: { userId: s.target.userId } }),
    expect: { ...moderatorsOnly(200), admin: forbidden, siteAdmin: forbidden }
  }
]

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "300 seconds" })(
  "Group authorization matrix",
  (it) => {
    it.effect(
      "every operation answers every kind of actor with the exact status and error tag",
      () =>
        Effect.gen(function* () {
          const world: World = {
            users: {
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
          }
          const failures: Array<string> = []
          for (const row of rows) {
            for (const actor of actorNames) {
              const cell = yield* scenario(world, row.visibility)
              const token = actor === "anonymous" ? undefined : world.users[actor].token
              const response = yield* row.run(cell, world, token)
              const [status, tag] = row.expect[actor]
              if (response.status !== status || (tag !== undefined && response.body._tag !== tag)) {
                failures.push(
                  `${row.operation} as ${actor}: expected ${status}${tag === undefined ? "" : ` ${tag}`}, got ${response.status} ${String(response.body._tag ?? "")}`
                )
              }
            }
          }
          assert.deepStrictEqual(failures, [])
        }),
      { timeout: 300_000 }
    )
  }
)
