import { Effect } from "effect"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName = "anonymous" | "user" | "suspended" | "siteAdmin"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "user", "suspended", "siteAdmin"]

type World = Record<Exclude<ActorName, "anonymous">, TestUser>

interface AnalyticsCell {
  readonly token: string | undefined
}

/** Only site admins see the aggregates. */
const adminOnly: Record<ActorName, Expectation> = {
  anonymous: unauthorized,
  user: forbidden,
  suspended,
  siteAdmin: [200]
}

const cell = (world: World, actor: ActorName) =>
  Effect.succeed({ token: actor === "anonymous" ? undefined : world[actor].token })

const range = { from: "2030-03-04", to: "2030-03-31" }
const query = `from=${range.from}&to=${range.to}`

const rows: ReadonlyArray<Row<ActorName, World, AnalyticsCell, never>> = [
  {
    operation: "active users",
    setup: cell,
    rest: (c) => call("GET", `/api/v1/analytics/active-users?${query}&interval=week`, { token: c.token }),
    rpc: (_c, _w, client) => client.GetActiveUsers({ ...range, interval: "week" }),
    expect: adminOnly
  },
  {
    operation: "new users",
    setup: cell,
    rest: (c) => call("GET", `/api/v1/analytics/new-users?${query}`, { token: c.token }),
    rpc: (_c, _w, client) => client.GetNewUsers(range),
    expect: adminOnly
  },
  {
    operation: "retention by signup week",
    setup: cell,
    rest: (c) => call("GET", `/api/v1/analytics/retention?${query}`, { token: c.token }),
    rpc: (_c, _w, client) => client.GetRetention(range),
    expect: adminOnly
  },
  {
    operation: "activity per group",
    setup: cell,
    rest: (c) => call("GET", `/api/v1/analytics/groups?${query}&limit=5`, { token: c.token }),
    rpc: (_c, _w, client) => client.GetGroupActivity({ ...range, limit: 5 }),
    expect: adminOnly
  }
]

describeMatrix("Analytics authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    return { user: yield* signUp("User"), suspended: yield* suspendedUser, siteAdmin: yield* siteAdmin }
  }),
  rows
})
