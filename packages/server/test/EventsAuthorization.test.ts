import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { CalendarFeedId } from "@moim/domain/Events/CalendarFeed"
import { EventId } from "@moim/domain/Events/Event"
import { EventVersionId } from "@moim/domain/Events/EventVersion"
import { GroupId } from "@moim/domain/Groups/Group"
import { DateTime, Effect } from "effect"
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

type ActorName = "anonymous" | "outsider" | "member" | "host" | "admin" | "owner" | "banned" | "siteAdmin" | "suspended"

const actorNames: ReadonlyArray<ActorName> = [
  "anonymous",
  "outsider",
  "member",
  "host",
  "admin",
  "owner",
  "banned",
  "siteAdmin",
  "suspended"
]

type World = Record<Exclude<ActorName, "anonymous">, TestUser> & { readonly helper: TestUser }

/**
 * One cell's private group (owner, admin, member, host, helper; banned) and an event of the host's
 * in it, with `helper` as its co-host; an iCal feed of the host's.
 */
interface Scenario {
  readonly groupId: GroupId
  readonly eventId: EventId
  readonly token: string | undefined
  /** An iCal feed of the host's (of their own events). */
  readonly feedId: CalendarFeedId
  /** The event's first version (its creation). */
  readonly versionId: EventVersionId
}

const scenario = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const groupId = GroupId.make(randomUUID())
    const eventId = EventId.make(randomUUID())
    const feedId = CalendarFeedId.make(randomUUID())
    const versionId = EventVersionId.make(randomUUID())
    const id = (user: TestUser) => UserId.make(user.userId)
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`
          INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
            member_count, post_count, search, created_at, updated_at)
          VALUES (${groupId}, 'Matrix events', '', 'other', '{}'::text[], 'private', 'invite', NULL, ${id(world.owner)},
            5, 0, to_tsvector('simple', 'Matrix events'), now(), now())`
        for (const [user, role] of [
          [world.owner, "owner"],
          [world.admin, "admin"],
          [world.member, "member"],
          [world.host, "member"],
          [world.helper, "member"]
        ] as const) {
          yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${id(user)}, ${role}, now())`
        }
        yield* sql`
          INSERT INTO group_bans (group_id, user_id, banned_by, reason, created_at)
          VALUES (${groupId}, ${id(world.banned)}, ${id(world.owner)}, '', now())`
        yield* sql`
          INSERT INTO events (id, group_id, creator_id, title, start_local, end_local, time_zone, starts_at, ends_at,
            capacity, created_at, updated_at)
          VALUES (${eventId}, ${groupId}, ${id(world.host)}, 'Matrix walk', '2030-07-16T19:00', '2030-07-16T21:00',
            'Europe/Berlin', '2030-07-16T17:00:00Z', '2030-07-16T19:00:00Z', 10, now(), now())`
        yield* sql`
          INSERT INTO event_hosts (event_id, user_id, role, added_at)
          VALUES (${eventId}, ${id(world.host)}, 'host', now()), (${eventId}, ${id(world.helper)}, 'cohost', now())`
        yield* sql`
          INSERT INTO calendar_feeds (id, user_id, group_id, include_groups, token_hash, created_at, rotated_at)
          VALUES (${feedId}, ${id(world.host)}, NULL, false, ${randomUUID()}, now(), now())`
        const snapshot = JSON.stringify({
          title: "Matrix walk",
          description: "",
          location: null,
          onlineUrl: null,
          start: "2030-07-16T19:00",
          end: "2030-07-16T21:00",
          timeZone: "Europe/Berlin",
          allDay: false,
          capacity: 10,
          rsvpDeadline: null,
          recurrence: null,
          status: "scheduled",
          cancelReason: null
        })
        yield* sql`
          INSERT INTO event_versions (id, event_id, number, action, actor_id, changes, snapshot, restored_from,
            created_at)
          VALUES (${versionId}, ${eventId}, 1, 'created', ${id(world.host)}, '[]', ${snapshot}, NULL, now())`
      })
    )
    return {
      groupId,
      eventId,
      feedId,
      versionId,
      token: actor === "anonymous" ? undefined : world[actor].token
    } satisfies Scenario
  }).pipe(Effect.orDie)

const eventNotFound: Expectation = [404, "EventNotFound"]
const groupNotFound: Expectation = [404, "GroupNotFound"]

/** Who may see the group's event: its members and site admins; to everyone else it does not exist. */
const inGroup = (members: Expectation, others: Expectation = eventNotFound): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  outsider: others,
  member: members,
  host: members,
  admin: members,
  owner: members,
  banned: others,
  siteAdmin: members,
  suspended
})

/** Public reads: anonymous and suspended callers read as nobody. */
const readers = (success: Expectation, others: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success, others),
  anonymous: others,
  suspended: others
})

/** Only the feed's owner (the host); to everyone else it does not exist. */
const feedOwner = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup([404, "CalendarFeedNotFound"], [404, "CalendarFeedNotFound"]),
  host: success
})

/** The event's hosts, the group's owner and admins, and site admins; other members are refused. */
const editors = (success: Expectation): Record<ActorName, Expectation> => ({ ...inGroup(success), member: forbidden })

/** The group's members take part; a site admin sees, but is not one. */
const participants = (success: Expectation, others: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success, others),
  siteAdmin: forbidden
})

const signedIn = (success: Expectation): Record<ActorName, Expectation> => ({ ...inGroup(success, success) })

const from = DateTime.makeUnsafe("2030-07-01T00:00:00.000Z")
const to = DateTime.makeUnsafe("2030-08-01T00:00:00.000Z")

const rows: ReadonlyArray<Row<ActorName, World, Scenario, Services>> = [
  {
    operation: "create an event in the group",
    setup: scenario,
    rest: (s) =>
      call("POST", `/api/v1/groups/${s.groupId}/events`, {
        token: s.token,
        body: { title: "New", start: "2030-07-20T10:00", end: "2030-07-20T12:00", timeZone: "UTC" }
      }),
    rpc: (s, _w, client) =>
      client.CreateEvent({
        id: s.groupId,
        title: "New",
        start: "2030-07-20T10:00",
        end: "2030-07-20T12:00",
        timeZone: "UTC"
      }),
    expect: participants([201], groupNotFound)
  },
  {
    operation: "create an event in a group where only its owner and admins do",
    setup: (world, actor) =>
      Effect.tap(scenario(world, actor), (s) =>
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql`UPDATE groups SET event_creation = 'admins' WHERE id = ${s.groupId}`
        ).pipe(Effect.orDie)
      ),
    rest: (s) =>
      call("POST", `/api/v1/groups/${s.groupId}/events`, {
        token: s.token,
        body: { title: "New", start: "2030-07-20T10:00", end: "2030-07-20T12:00", timeZone: "UTC" }
      }),
    rpc: (s, _w, client) =>
      client.CreateEvent({
        id: s.groupId,
        title: "New",
        start: "2030-07-20T10:00",
        end: "2030-07-20T12:00",
        timeZone: "UTC"
      }),
    expect: { ...participants([201], groupNotFound), member: forbidden, host: forbidden }
  },
  {
    operation: "read the event",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/events/${s.eventId}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetEvent({ id: s.eventId }),
    expect: readers([200], eventNotFound)
  },
  {
    operation: "edit the event",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/events/${s.eventId}`, { token: s.token, body: { title: "Edited" } }),
    rpc: (s, _w, client) => client.UpdateEvent({ id: s.eventId, title: "Edited" }),
    expect: editors([200])
  },
  {
    operation: "cancel the event",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/events/${s.eventId}/cancel`, { token: s.token, body: { reason: "Rain" } }),
    rpc: (s, _w, client) => client.CancelEvent({ id: s.eventId, reason: "Rain" }),
    expect: editors([200])
  },
  {
    operation: "add a co-host",
    setup: scenario,
    rest: (s, w) => call("PUT", `/api/v1/events/${s.eventId}/cohosts/${w.member.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.AddEventCoHost({ id: s.eventId, userId: UserId.make(w.member.userId) }),
    expect: editors([200])
  },
  {
    operation: "remove a co-host",
    setup: scenario,
    rest: (s, w) => call("DELETE", `/api/v1/events/${s.eventId}/cohosts/${w.helper.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.RemoveEventCoHost({ id: s.eventId, userId: UserId.make(w.helper.userId) }),
    expect: editors([200])
  },
  {
    operation: "list the event's versions",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/events/${s.eventId}/versions`, { token: s.token }),
    rpc: (s, _w, client) => client.ListEventVersions({ id: s.eventId }),
    expect: editors([200])
  },
  {
    operation: "compare two versions of the event",
    setup: scenario,
    rest: (s) =>
      call("GET", `/api/v1/events/${s.eventId}/versions/diff?from=${s.versionId}&to=${s.versionId}`, {
        token: s.token
      }),
    rpc: (s, _w, client) => client.DiffEventVersions({ id: s.eventId, from: s.versionId, to: s.versionId }),
    expect: editors([200])
  },
  {
    operation: "restore a version of the event",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/events/${s.eventId}/versions/${s.versionId}/restore`, { token: s.token }),
    rpc: (s, _w, client) => client.RestoreEventVersion({ id: s.eventId, versionId: s.versionId }),
    expect: editors([200])
  },
  {
    operation: "answer the event",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/events/${s.eventId}/rsvp`, { token: s.token, body: { status: "going" } }),
    rpc: (s, _w, client) => client.RsvpToEvent({ id: s.eventId, status: "going" }),
    expect: participants([200], eventNotFound)
  },
  {
    operation: "list who is going",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/events/${s.eventId}/attendees`, { token: s.token }),
    rpc: (s, _w, client) => client.ListEventAttendees({ id: s.eventId }),
    expect: readers([200], eventNotFound)
  },
  {
    operation: "list the event's occurrences",
    setup: scenario,
    rest: (s) =>
      call("GET", `/api/v1/events/${s.eventId}/occurrences?from=2030-07-01T00:00:00.000Z&to=2030-08-01T00:00:00.000Z`, {
        token: s.token
      }),
    rpc: (s, _w, client) => client.ListEventOccurrences({ id: s.eventId, from, to }),
    expect: readers([200], eventNotFound)
  },
  {
    operation: "cancel one occurrence",
    setup: scenario,
    rest: (s) =>
      call("POST", `/api/v1/events/${s.eventId}/occurrences/2030-07-16T19:00/cancel`, {
        token: s.token,
        body: { reason: "Rain" }
      }),
    rpc: (s, _w, client) =>
      client.CancelEventOccurrence({ id: s.eventId, occurrence: "2030-07-16T19:00", reason: "Rain" }),
    expect: editors([200])
  },
  {
    operation: "answer one occurrence",
    setup: scenario,
    rest: (s) =>
      call("PUT", `/api/v1/events/${s.eventId}/occurrences/2030-07-16T19:00/rsvp`, {
        token: s.token,
        body: { status: "going" }
      }),
    rpc: (s, _w, client) =>
      client.RsvpToEventOccurrence({ id: s.eventId, occurrence: "2030-07-16T19:00", status: "going" }),
    expect: participants([200], eventNotFound)
  },
  {
    operation: "list the group's events",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/groups/${s.groupId}/events`, { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupEvents({ id: s.groupId }),
    expect: readers([200], groupNotFound)
  },
  {
    operation: "my calendar",
    setup: scenario,
    rest: (s) =>
      call("GET", "/api/v1/me/calendar?from=2030-07-01T00:00:00.000Z&to=2030-08-01T00:00:00.000Z", { token: s.token }),
    rpc: (_s, _w, client) => client.MyCalendar({ from, to }),
    expect: signedIn([200])
  },
  {
    operation: "my events",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/events", { token: s.token }),
    rpc: (_s, _w, client) => client.ListMyEvents({}),
    expect: signedIn([200])
  },
  {
    operation: "download the event as .ics",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/events/${s.eventId}/ics`, { token: s.token }),
    rpc: (s, _w, client) => client.GetEventCalendarFile({ id: s.eventId }),
    expect: readers([200], eventNotFound)
  },
  {
    operation: "make an iCal feed of the group",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/groups/${s.groupId}/calendar-feeds`, { token: s.token }),
    rpc: (s, _w, client) => client.CreateGroupCalendarFeed({ id: s.groupId }),
    expect: participants([201], groupNotFound)
  },
  {
    operation: "make my iCal feed",
    setup: scenario,
    rest: (s) => call("POST", "/api/v1/me/calendar-feeds", { token: s.token, body: { includeGroups: true } }),
    rpc: (_s, _w, client) => client.CreateMyCalendarFeed({ includeGroups: true }),
    expect: signedIn([201])
  },
  {
    operation: "list my iCal feeds",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/calendar-feeds", { token: s.token }),
    rpc: (_s, _w, client) => client.ListMyCalendarFeeds(),
    expect: signedIn([200])
  },
  {
    operation: "rotate the host's iCal feed",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/me/calendar-feeds/${s.feedId}/rotate`, { token: s.token }),
    rpc: (s, _w, client) => client.RotateCalendarFeed({ id: s.feedId }),
    expect: feedOwner([200])
  },
  {
    operation: "revoke the host's iCal feed",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/me/calendar-feeds/${s.feedId}`, { token: s.token }),
    rpc: (s, _w, client) => client.RevokeCalendarFeed({ id: s.feedId }),
    expect: feedOwner([200])
  }
]

describeMatrix("Event authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const users: World = {
      outsider: yield* signUp("Outsider"),
      member: yield* signUp("Member"),
      host: yield* signUp("Host"),
      helper: yield* signUp("Helper"),
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
