import { GroupId } from "@moim/domain/Groups/Group"
import { type Effect, Schema } from "effect"
import { type Dataset, searchQueries, seedPassword, userEmail } from "./dataset.ts"
import type { HttpRequest } from "./http-load.ts"
import type { MoimRpcClient } from "./rpc-load.ts"

/** The rows the scenarios use, chosen from the dataset the same way on every run. */
export interface Picks {
  /** Public groups read over and over (cache hits after the first read). */
  readonly hotGroups: ReadonlyArray<string>
  /** Users who sign in to get tokens: each belongs to at least five groups. */
  readonly tokenUsers: ReadonlyArray<number>
  /** One open, public, unlimited group per token user that the user is not a member of. */
  readonly joinGroups: ReadonlyArray<string>
  /** Users who sign in during the login scenario, one per connection. */
  readonly loginUsers: ReadonlyArray<number>
  /** `hotGroups` as the domain's branded ids, for the RPC client. */
  readonly hotGroupIds: ReadonlyArray<GroupId>
}

const decodeGroupId = Schema.decodeSync(GroupId)

export const pick = (dataset: Dataset, connections: number): Picks => {
  const { groups, groupsOfUser, users } = dataset
  const publicGroups = groups.id.flatMap((_, index) => (groups.visibility[index] === "public" ? [index] : []))
  const hotGroups = Array.from({ length: 8 }, (_, slot) => groups.id[publicGroups[slot * 97]!]!)
  const tokenUsers: Array<number> = []
  for (let user = 7; tokenUsers.length < connections; user = (user + 131) % users.id.length) {
    if (groupsOfUser[user]!.length >= 5) tokenUsers.push(user)
  }
  const taken = new Set<number>()
  const joinGroups = tokenUsers.map((user, slot) => {
    const mine = new Set(groupsOfUser[user])
    for (let step = 0; step < groups.id.length; step++) {
      const group = (slot * 29 + step * 7) % groups.id.length
      const joinable =
        groups.visibility[group] === "public" &&
        groups.joinPolicy[group] === "open" &&
        groups.memberLimit[group] === null &&
        !mine.has(group) &&
        !taken.has(group)
      if (joinable) {
        taken.add(group)
        return groups.id[group]!
      }
    }
    throw new Error("No joinable group left for the join scenario")
  })
  const loginUsers = Array.from({ length: connections }, (_, slot) => (slot * 149 + 3) % users.id.length)
  return { hotGroups, tokenUsers, joinGroups, loginUsers, hotGroupIds: hotGroups.map((id) => decodeGroupId(id)) }
}

export interface ScenarioContext {
  readonly picks: Picks
  /** Access tokens of `picks.tokenUsers`, in the same order (empty unless the scenario needs them). */
  readonly tokens: ReadonlyArray<string>
}

interface ScenarioBase {
  readonly id: string
  readonly title: string
  /** What one request does in Moim, and what the baseline (and the Fastify peer, the same) does for it. */
  readonly what: string
  /** Signs `picks.tokenUsers` in before the scenario runs. */
  readonly needsTokens: boolean
  /** Argon2-bound scenarios are reported in a table of their own. */
  readonly table: "main" | "single"
  /** Changes data: not a candidate for the profile of the slowest read. */
  readonly writes: boolean
}

export interface HttpScenario extends ScenarioBase {
  readonly kind: "http"
  /** The baseline and the Fastify peer serve the same requests. */
  readonly baseline: boolean
  readonly requestsFor: (context: ScenarioContext, index: number) => ReadonlyArray<HttpRequest>
  /** Brings the data back to its starting state before each run (writes leave traces). */
  readonly reset?: (context: ScenarioContext, baseUrl: string) => Promise<void>
}

export interface RpcScenario extends ScenarioBase {
  readonly kind: "rpc"
  /** The HTTP scenario whose baseline figures this one is compared with. */
  readonly comparedWith: string
  readonly call: (client: MoimRpcClient, context: ScenarioContext, index: number) => Effect.Effect<unknown, unknown>
}

export type Scenario = HttpScenario | RpcScenario

const rotate = <A>(items: ReadonlyArray<A>, offset: number) =>
  items.map((_, slot) => items[(slot + offset) % items.length]!)

const bearer = (context: ScenarioContext, index: number) => ({
  authorization: `Bearer ${context.tokens[index % context.tokens.length]}`
})

const json = { "content-type": "application/json" }

export const scenarios: ReadonlyArray<Scenario> = [
  {
    kind: "http",
    id: "meta",
    title: "GET /api/v1/meta",
    what: "No I/O: routing, middleware and encoding a constant. The baseline writes a constant JSON object.",
    needsTokens: false,
    table: "main",
    writes: false,
    baseline: true,
    requestsFor: () => [{ method: "GET", path: "/api/v1/meta" }]
  },
  {
    kind: "http",
    id: "group-get",
    title: "GET /api/v1/groups/{id} (cache hit)",
    what:
      "Anonymous read of 8 public groups in rotation. Moim: rate limit (Redis), the group from its Redis cache, " +
      "schema decode and encode. Baseline: the same row by primary key from Postgres on every request.",
    needsTokens: false,
    table: "main",
    writes: false,
    baseline: true,
    requestsFor: (context, index) =>
      rotate(context.picks.hotGroups, index).map((id) => ({ method: "GET", path: `/api/v1/groups/${id}` }))
  },
  {
    kind: "http",
    id: "group-search",
    title: "GET /api/v1/groups?q=&category= (first page)",
    what:
      "Anonymous full-text search (prefix terms, ts_rank_cd) within a category, 10 queries in rotation, 20 per " +
      "page. Moim: rate limit, then its list cache (pages cached 5 minutes, so mostly hits). Baseline: runs the " +
      "search query every time.",
    needsTokens: false,
    table: "main",
    writes: false,
    baseline: true,
    requestsFor: (_context, index) =>
      rotate(searchQueries, index).map(({ category, q }) => ({
        method: "GET",
        path: `/api/v1/groups?q=${encodeURIComponent(q)}&category=${category}`
      }))
  },
  {
    kind: "http",
    id: "group-search-br",
    title: "GET /api/v1/groups?q=&category= (first page, Accept-Encoding: br, gzip)",
    what:
      "The search above from a client that accepts compressed answers: the same pages, Brotli-compressed " +
      "(quality 3, on the event loop below 32 KB). Shows what compression costs in CPU and saves in bytes.",
    needsTokens: false,
    table: "single",
    writes: false,
    baseline: false,
    requestsFor: (_context, index) =>
      rotate(searchQueries, index).map(({ category, q }) => ({
        method: "GET",
        path: `/api/v1/groups?q=${encodeURIComponent(q)}&category=${category}`,
        headers: { "accept-encoding": "br, gzip" }
      }))
  },
  {
    kind: "http",
    id: "my-groups",
    title: "GET /api/v1/me/groups (authenticated)",
    what:
      "First page of the signed-in user's groups (each user has 5 or more), one user per connection. Moim: JWT, " +
      "session query, rate limit (Redis), the list query. Baseline: JWT (HMAC), the same session query and list query.",
    needsTokens: true,
    table: "main",
    writes: false,
    baseline: true,
    requestsFor: (context, index) => [{ method: "GET", path: "/api/v1/me/groups", headers: bearer(context, index) }]
  },
  {
    kind: "http",
    id: "join-leave",
    title: "POST /api/v1/groups/{id}/join + /leave",
    what:
      "Each connection's user joins an open public group and leaves it again, in a loop: each is a transaction " +
      "(row lock on the group, membership insert or delete, member count update, the group's chat channel, " +
      "realtime outbox events, a recommendations job) plus cache invalidation. Two requests per cycle. " +
      "Baseline: JWT, the session query and the same statements in the same transactions; no cache to invalidate.",
    needsTokens: true,
    table: "main",
    writes: true,
    baseline: true,
    requestsFor: (context, index) => {
      const group = context.picks.joinGroups[index % context.picks.joinGroups.length]
      const headers = { ...bearer(context, index), ...json }
      return [
        { method: "POST", path: `/api/v1/groups/${group}/join`, headers, body: "{}" },
        { method: "POST", path: `/api/v1/groups/${group}/leave`, headers: bearer(context, index) }
      ]
    },
    reset: async (context, baseUrl) => {
      // A run can stop between a join and its leave; leaving first makes the next run's joins succeed.
      await Promise.all(
        context.picks.joinGroups.map((group, index) =>
          fetch(`${baseUrl}/api/v1/groups/${group}/leave`, { method: "POST", headers: bearer(context, index) }).then(
            (response) => response.arrayBuffer()
          )
        )
      )
    }
  },
  {
    kind: "rpc",
    id: "rpc-get-group",
    title: "RPC GetGroup over WebSocket",
    what:
      "The group read of `group-get` as an RPC over one WebSocket per caller (effect/rpc, JSON). Compared with the " +
      "HTTP baseline and Fastify figures of `group-get`.",
    needsTokens: false,
    table: "main",
    writes: false,
    comparedWith: "group-get",
    call: (client, context, index) =>
      client.GetGroup({ id: context.picks.hotGroupIds[index % context.picks.hotGroupIds.length]! })
  },
  {
    kind: "http",
    id: "login",
    title: "POST /api/v1/auth/login",
    what:
      "A correct email and password, one user per connection: argon2id verification (19 MiB, 2 passes) on the " +
      "libuv thread pool, a session and a refresh token inserted in a transaction, a JWT signed.",
    needsTokens: false,
    table: "single",
    writes: true,
    baseline: false,
    requestsFor: (context, index) => [
      {
        method: "POST",
        path: "/api/v1/auth/login",
        headers: json,
        body: JSON.stringify({
          email: userEmail(context.picks.loginUsers[index % context.picks.loginUsers.length]!),
          password: seedPassword,
          deviceName: "bench"
        })
      }
    ]
  },
  {
    kind: "http",
    id: "me",
    title: "GET /api/v1/me (authenticated)",
    what: "The signed-in user's account. Moim: JWT, session query, rate limit, user query. Baseline: the same queries.",
    needsTokens: true,
    table: "main",
    writes: false,
    baseline: true,
    requestsFor: (context, index) => [{ method: "GET", path: "/api/v1/me", headers: bearer(context, index) }]
  },
  {
    kind: "http",
    id: "user-search",
    title: "GET /api/v1/users?q=",
    what: "Fuzzy nickname search (pg_trgm similarity or prefix), first page. Both run the same query.",
    needsTokens: false,
    table: "main",
    writes: false,
    baseline: true,
    requestsFor: (_context, index) =>
      rotate(["kim", "minji", "park ada", "lee", "grace", "choi jiho"], index).map((q) => ({
        method: "GET",
        path: `/api/v1/users?q=${encodeURIComponent(q)}`
      }))
  }
]

/** What `npm run bench` runs unless `--scenarios` says otherwise (`me` and `user-search` are extra). */
export const defaultScenarios = [
  "meta",
  "group-get",
  "group-search",
  "group-search-br",
  "my-groups",
  "join-leave",
  "rpc-get-group",
  "login"
]

/** `--quick` leaves out the constant endpoint to stay near two minutes. */
export const quickScenarios = defaultScenarios.filter((id) => id !== "meta")

/** Signs each token user in and returns the access tokens, a few logins at a time. */
export const signIn = async (baseUrl: string, users: ReadonlyArray<number>): Promise<Array<string>> => {
  const tokens: Array<string> = new Array(users.length)
  let next = 0
  const worker = async () => {
    while (next < users.length) {
      const slot = next++
      const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ email: userEmail(users[slot]!), password: seedPassword, deviceName: "bench" })
      })
      const body: unknown = await response.json()
      if (
        response.status !== 200 ||
        typeof body !== "object" ||
        body === null ||
        !("accessToken" in body) ||
        typeof body.accessToken !== "string"
      ) {
        throw new Error(`Login of a seeded user failed (${response.status}): ${JSON.stringify(body)}`)
      }
      tokens[slot] = body.accessToken
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  return tokens
}
