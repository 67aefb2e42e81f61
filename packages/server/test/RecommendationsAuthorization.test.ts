import { UserId } from "@moim/domain/Accounts/User"
import { EventId } from "@moim/domain/Events/Event"
import { GroupId } from "@moim/domain/Groups/Group"
import { Effect } from "effect"
import { createGroup, signUp, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  type Row,
  type Services,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName = "anonymous" | "member" | "outsider" | "suspended"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "member", "outsider", "suspended"]

/**
 * Everything is the actor's own (`/me/...`): a public group, its event and a person to dismiss, and a
 * private group only its member may see.
 */
interface World {
  readonly users: Record<Exclude<ActorName, "anonymous">, TestUser>
  readonly publicGroup: GroupId
  readonly privateGroup: GroupId
  readonly event: EventId
  readonly person: UserId
}

interface Cell {
  readonly token: string | undefined
}

const cell = (world: World, actor: ActorName) =>
  Effect.succeed({ token: actor === "anonymous" ? undefined : world.users[actor].token } satisfies Cell)

const signedIn = (success: Expectation, others: Partial<Record<ActorName, Expectation>> = {}) =>
  ({ anonymous: unauthorized, member: success, outsider: success, suspended, ...others }) satisfies Record<
    ActorName,
    Expectation
  >

const rows: ReadonlyArray<Row<ActorName, World, Cell, Services>> = [
  {
    operation: "read one's interests",
    setup: cell,
    rest: (s) => call("GET", "/api/v1/me/interests", { token: s.token }),
    rpc: (_s, _w, client) => client.GetMyInterests(),
    expect: signedIn([200])
  },
  {
    operation: "pick one's interests",
    setup: cell,
    rest: (s) => call("PUT", "/api/v1/me/interests", { token: s.token, body: { interests: ["hiking"] } }),
    rpc: (_s, _w, client) => client.UpdateMyInterests({ interests: ["hiking"] }),
    expect: signedIn([200])
  },
  {
    operation: "list suggested groups",
    setup: cell,
    rest: (s) => call("GET", "/api/v1/me/suggestions/groups", { token: s.token }),
    rpc: (_s, _w, client) => client.ListSuggestedGroups({}),
    expect: signedIn([200])
  },
  {
    operation: "list suggested events",
    setup: cell,
    rest: (s) => call("GET", "/api/v1/me/suggestions/events", { token: s.token }),
    rpc: (_s, _w, client) => client.ListSuggestedEvents({}),
    expect: signedIn([200])
  },
  {
    operation: "list suggested people",
    setup: cell,
    rest: (s) => call("GET", "/api/v1/me/suggestions/people", { token: s.token }),
    rpc: (_s, _w, client) => client.ListSuggestedPeople({}),
    expect: signedIn([200])
  },
  {
    operation: "dismiss a public group",
    setup: cell,
    rest: (s, w) => call("DELETE", `/api/v1/me/suggestions/groups/${w.publicGroup}`, { token: s.token }),
    rpc: (_s, w, client) => client.DismissSuggestedGroup({ id: w.publicGroup }),
    expect: signedIn([204])
  },
  {
    operation: "dismiss a private group",
    setup: cell,
    rest: (s, w) => call("DELETE", `/api/v1/me/suggestions/groups/${w.privateGroup}`, { token: s.token }),
    rpc: (_s, w, client) => client.DismissSuggestedGroup({ id: w.privateGroup }),
    expect: signedIn([404, "GroupNotFound"])
  },
  {
    operation: "dismiss an event",
    setup: cell,
    rest: (s, w) => call("DELETE", `/api/v1/me/suggestions/events/${w.event}`, { token: s.token }),
    rpc: (_s, w, client) => client.DismissSuggestedEvent({ id: w.event }),
    expect: signedIn([204])
  },
  {
    operation: "dismiss a person",
    setup: cell,
    rest: (s, w) => call("DELETE", `/api/v1/me/suggestions/people/${w.person}`, { token: s.token }),
    rpc: (_s, w, client) => client.DismissSuggestedPerson({ id: w.person }),
    expect: signedIn([204])
  }
]

describeMatrix("Recommendations authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const member = yield* signUp("Member")
    const users = { member, outsider: yield* signUp("Outsider"), suspended: yield* suspendedUser }
    const publicGroup = yield* createGroup(member, { name: "Open Walks", category: "hiking", visibility: "public" })
    const privateGroup = yield* createGroup(member, { name: "Closed Walks", category: "hiking", visibility: "private" })
    const created = yield* call("POST", `/api/v1/groups/${publicGroup}/events`, {
      token: member.token,
      body: {
        title: "Walk",
        start: `${new Date().getUTCFullYear() + 1}-07-11T10:00`,
        end: `${new Date().getUTCFullYear() + 1}-07-11T12:00`,
        timeZone: "Europe/Berlin"
      }
    })
    const person = yield* signUp("Person")
    return {
      users,
      publicGroup: GroupId.make(publicGroup),
      privateGroup: GroupId.make(privateGroup),
      event: EventId.make(String(created.body.id)),
      person: UserId.make(person.userId)
    } satisfies World
  }).pipe(Effect.orDie),
  rows
})
