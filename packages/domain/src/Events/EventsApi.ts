import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { UserId } from "../Accounts/User.ts"
import { GroupId, GroupNotFound } from "../Groups/Group.ts"
import { Forbidden } from "../Kit/AccessErrors.ts"
import { PreconditionFailed } from "../Kit/ConditionalRequests.ts"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import {
  CalendarFeedId,
  CalendarFeedList,
  CalendarFeedNotFound,
  CalendarFeedUrl,
  CreateUserFeedPayload,
  EventCalendarFile
} from "./CalendarFeed.ts"
import {
  AttendeePage,
  CancelReason,
  CoHostNotMember,
  Event,
  EventCancelled,
  EventCapacity,
  EventDescription,
  EventId,
  EventLocation,
  EventNotFound,
  EventOccurrence,
  EventOccurrences,
  EventPage,
  EventTitle,
  InvalidCalendarRange,
  InvalidEditScope,
  InvalidEventTime,
  InvalidRecurrence,
  instantInput,
  LocalDateTime,
  OccurrenceNotFound,
  OccurrenceRsvp,
  OnlineUrl,
  RecurrenceRule,
  Rsvp,
  RsvpClosed,
  RsvpStatus,
  TimeZone
} from "./Event.ts"
import { EventVersionDiff, EventVersionId, EventVersionNotFound, EventVersionPage } from "./EventVersion.ts"

export const CreateEventPayload = Schema.Struct({
  title: EventTitle,
  description: Schema.optional(EventDescription),
  location: Schema.optional(EventLocation),
  onlineUrl: Schema.optional(OnlineUrl),
  start: LocalDateTime,
  end: LocalDateTime,
  timeZone: TimeZone,
  allDay: Schema.optional(Schema.Boolean).annotate({ description: "Default false" }),
  capacity: Schema.optional(EventCapacity),
  rsvpDeadline: Schema.optional(instantInput("No RSVP changes after this instant")),
  recurrence: Schema.optional(RecurrenceRule)
}).annotate({ identifier: "CreateEventPayload", description: "An event in a group you belong to; you are its host" })

export const EditScope = Schema.Literals(["this", "thisAndFollowing", "all"]).annotate({
  identifier: "EditScope",
  description:
    "For a series: `all` (default) changes the series; `this` changes one occurrence (its time, place or capacity); `thisAndFollowing` ends the series before the occurrence and answers with a new series from it, with the change"
})

export const UpdateEventPayload = Schema.Struct({
  title: Schema.optional(EventTitle),
  description: Schema.optional(EventDescription),
  location: Schema.optional(Schema.NullOr(EventLocation)),
  onlineUrl: Schema.optional(Schema.NullOr(OnlineUrl)),
  start: Schema.optional(LocalDateTime),
  end: Schema.optional(LocalDateTime),
  timeZone: Schema.optional(TimeZone),
  allDay: Schema.optional(Schema.Boolean),
  capacity: Schema.optional(Schema.NullOr(EventCapacity)).annotate({
    description: "More seats promote people from the waitlist; fewer seats never take one away"
  }),
  rsvpDeadline: Schema.optional(Schema.NullOr(instantInput("No RSVP changes after this instant"))),
  recurrence: Schema.optional(Schema.NullOr(RecurrenceRule)).annotate({
    description: "A new rule for the whole series; null makes it a single event"
  }),
  scope: Schema.optional(EditScope),
  occurrence: Schema.optional(LocalDateTime)
}).annotate({
  identifier: "UpdateEventPayload",
  description:
    "Only the fields present change; null clears. With `scope` `this` or `thisAndFollowing`, `occurrence` is the occurrence's `occurrenceStart`"
})

export const CancelEventPayload = Schema.Struct({ reason: CancelReason }).annotate({
  identifier: "CancelEventPayload",
  description: "Why the event is cancelled"
})

export const RsvpPayload = Schema.Struct({ status: RsvpStatus }).annotate({
  identifier: "RsvpPayload",
  description: "Your answer"
})

const range = {
  from: Schema.optional(instantInput("Events ending after this instant")),
  to: Schema.optional(instantInput("Events starting before this instant; at most 92 days after `from`"))
}

export const CreateEvent = Operation.make(
  {
    rpc: "CreateEvent",
    access: Access.signedIn,
    params: { id: GroupId },
    body: Operation.body(CreateEventPayload),
    success: Event,
    status: 201,
    errors: [GroupNotFound, Forbidden, InvalidEventTime, InvalidRecurrence],
    summary: "Create an event in a group",
    description:
      "The group's members create events, or only its owner and admins when its `eventCreation` is `admins` (`Forbidden` otherwise); the creator is its host."
  },
  (rest) => HttpApiEndpoint.post("create", "/groups/:id/events", rest.options).middleware(rest.middleware)
)

export const GetEvent = Operation.make(
  {
    rpc: "GetEvent",
    access: Access.anyone,
    params: { id: EventId },
    success: Event,
    versioned: true,
    errors: [EventNotFound],
    summary: "An event",
    description: "Anyone who may see its group; a cancelled event stays readable."
  },
  (rest) => HttpApiEndpoint.get("get", "/events/:id", rest.options).middleware(rest.middleware)
)

export const UpdateEvent = Operation.make(
  {
    rpc: "UpdateEvent",
    access: Access.signedIn,
    params: { id: EventId },
    body: Operation.body(UpdateEventPayload),
    success: Event,
    errors: [
      EventNotFound,
      OccurrenceNotFound,
      Forbidden,
      InvalidEventTime,
      InvalidRecurrence,
      InvalidEditScope,
      EventCancelled,
      PreconditionFailed
    ],
    versioned: true,
    ifMatch: true,
    summary: "Edit an event",
    description:
      "Its hosts and co-hosts, the group's owner and admins, and site admins. With `If-Match` (REST) or `expectedVersion` (RPC) the edit applies only if nobody edited the event (any of its occurrences included) since that version."
  },
  (rest) => HttpApiEndpoint.patch("update", "/events/:id", rest.options).middleware(rest.middleware)
)

export const CancelEvent = Operation.make(
  {
    rpc: "CancelEvent",
    access: Access.signedIn,
    params: { id: EventId },
    body: Operation.body(CancelEventPayload),
    success: Event,
    errors: [EventNotFound, Forbidden, EventCancelled],
    summary: "Cancel an event",
    description: "Those who may edit it. It stays readable, with the reason; RSVPs are closed."
  },
  (rest) => HttpApiEndpoint.post("cancel", "/events/:id/cancel", rest.options).middleware(rest.middleware)
)

export const AddEventCoHost = Operation.make(
  {
    rpc: "AddEventCoHost",
    access: Access.signedIn,
    params: { id: EventId, userId: UserId },
    success: Event,
    errors: [EventNotFound, Forbidden, CoHostNotMember],
    summary: "Add a co-host",
    description: "Hosts, the group's owner and admins, and site admins add a member of the group as a co-host."
  },
  (rest) => HttpApiEndpoint.put("addCoHost", "/events/:id/cohosts/:userId", rest.options).middleware(rest.middleware)
)

export const RemoveEventCoHost = Operation.make(
  {
    rpc: "RemoveEventCoHost",
    access: Access.signedIn,
    params: { id: EventId, userId: UserId },
    success: Event,
    errors: [EventNotFound, Forbidden],
    summary: "Remove a co-host",
    description: "Hosts, the group's owner and admins, and site admins. The host stays."
  },
  (rest) =>
    HttpApiEndpoint.delete("removeCoHost", "/events/:id/cohosts/:userId", rest.options).middleware(rest.middleware)
)

export const RsvpToEvent = Operation.make(
  {
    rpc: "RsvpToEvent",
    access: Access.signedIn,
    params: { id: EventId },
    body: Operation.body(RsvpPayload),
    success: Rsvp,
    errors: [EventNotFound, OccurrenceNotFound, Forbidden, EventCancelled, RsvpClosed],
    summary: "Answer an event",
    description:
      "The group's members. `going` beyond the capacity puts you on the waitlist, in order of arrival; leaving `going` frees your seat for the first person waiting. A series is answered per occurrence (`OccurrenceNotFound` here)."
  },
  (rest) => HttpApiEndpoint.put("rsvp", "/events/:id/rsvp", rest.options).middleware(rest.middleware)
)

export const ListEventAttendees = Operation.make(
  {
    rpc: "ListEventAttendees",
    access: Access.anyone,
    params: { id: EventId },
    query: PageQuery,
    success: AttendeePage,
    errors: [EventNotFound, InvalidCursor],
    summary: "Who is going",
    description: "People with a seat, in the order they got it."
  },
  (rest) => HttpApiEndpoint.get("listAttendees", "/events/:id/attendees", rest.options).middleware(rest.middleware)
)

export const ListGroupEvents = Operation.make(
  {
    rpc: "ListGroupEvents",
    access: Access.anyone,
    params: { id: GroupId },
    query: { ...range, ...PageQuery },
    success: EventPage,
    errors: [GroupNotFound, InvalidCursor, InvalidCalendarRange],
    summary: "A group's events",
    description:
      "By start. Without `from` and `to`: those not yet over. With both: those overlapping the range (at most 92 days)."
  },
  (rest) => HttpApiEndpoint.get("listInGroup", "/groups/:id/events", rest.options).middleware(rest.middleware)
)

export const ListEventOccurrences = Operation.make(
  {
    rpc: "ListEventOccurrences",
    access: Access.anyone,
    params: { id: EventId },
    query: {
      from: instantInput("Occurrences ending after this instant"),
      to: instantInput("Occurrences starting before this instant; at most 92 days after `from`")
    },
    success: EventOccurrences,
    errors: [EventNotFound, InvalidCalendarRange],
    summary: "An event's occurrences",
    description:
      "The occurrences of a series (or the one of a single event) overlapping the range (at most 92 days), computed in the event's time zone, by start."
  },
  (rest) => HttpApiEndpoint.get("listOccurrences", "/events/:id/occurrences", rest.options).middleware(rest.middleware)
)

/** `occurrence` is the occurrence's `occurrenceStart`, e.g. `2027-03-16T19:00`. */
const occurrenceParams = { id: EventId, occurrence: LocalDateTime }

export const CancelEventOccurrence = Operation.make(
  {
    rpc: "CancelEventOccurrence",
    access: Access.signedIn,
    params: occurrenceParams,
    body: Operation.body(CancelEventPayload),
    success: EventOccurrence,
    errors: [EventNotFound, OccurrenceNotFound, Forbidden, EventCancelled],
    summary: "Cancel one occurrence",
    description:
      "Those who may edit the event. The occurrence stays listed, cancelled, with the reason; its RSVPs close."
  },
  (rest) =>
    HttpApiEndpoint.post("cancelOccurrence", "/events/:id/occurrences/:occurrence/cancel", rest.options).middleware(
      rest.middleware
    )
)

export const RsvpToEventOccurrence = Operation.make(
  {
    rpc: "RsvpToEventOccurrence",
    access: Access.signedIn,
    params: occurrenceParams,
    body: Operation.body(RsvpPayload),
    success: OccurrenceRsvp,
    errors: [EventNotFound, OccurrenceNotFound, Forbidden, EventCancelled, RsvpClosed],
    summary: "Answer one occurrence",
    description:
      "The group's members, per occurrence, with the occurrence's capacity and its own waitlist. For a single event, its one occurrence is its start."
  },
  (rest) =>
    HttpApiEndpoint.put("rsvpOccurrence", "/events/:id/occurrences/:occurrence/rsvp", rest.options).middleware(
      rest.middleware
    )
)

export const MyCalendar = Operation.make(
  {
    rpc: "MyCalendar",
    access: Access.signedIn,
    query: {
      from: instantInput("Events ending after this instant"),
      to: instantInput("Events starting before this instant; at most 92 days after `from`"),
      ...PageQuery
    },
    success: EventPage,
    errors: [InvalidCursor, InvalidCalendarRange],
    summary: "My groups' calendar",
    description: "The events of every group you belong to that overlap the range (at most 92 days), by start."
  },
  (rest) => HttpApiEndpoint.get("calendar", "/me/calendar", rest.options).middleware(rest.middleware)
)

export const ListMyEvents = Operation.make(
  {
    rpc: "ListMyEvents",
    access: Access.signedIn,
    query: PageQuery,
    success: EventPage,
    errors: [InvalidCursor],
    summary: "Events I answered",
    description:
      "Events not yet over that you are going to (or waiting for) or interested in, by start. A page may hold fewer than `limit`."
  },
  (rest) => HttpApiEndpoint.get("listMine", "/me/events", rest.options).middleware(rest.middleware)
)

export const GetEventCalendarFile = Operation.make(
  {
    rpc: "GetEventCalendarFile",
    access: Access.anyone,
    params: { id: EventId },
    success: EventCalendarFile,
    errors: [EventNotFound],
    summary: "An event as an .ics file",
    description:
      "Anyone who may see the event: the event (a series with RRULE, EXDATE for cancelled and RECURRENCE-ID entries for changed occurrences) as iCalendar text, in its time zone."
  },
  (rest) => HttpApiEndpoint.get("calendarFile", "/events/:id/ics", rest.options).middleware(rest.middleware)
)

export const CreateMyCalendarFeed = Operation.make(
  {
    rpc: "CreateMyCalendarFeed",
    access: Access.signedIn,
    body: Operation.body(CreateUserFeedPayload),
    success: CalendarFeedUrl,
    status: 201,
    errors: [],
    summary: "Make my iCal feed",
    description:
      "A secret address for a calendar app: the events you answered `going` or `interested`, and with `includeGroups` every event of your groups. The address is answered only now."
  },
  (rest) => HttpApiEndpoint.post("createMyFeed", "/me/calendar-feeds", rest.options).middleware(rest.middleware)
)

export const CreateGroupCalendarFeed = Operation.make(
  {
    rpc: "CreateGroupCalendarFeed",
    access: Access.signedIn,
    params: { id: GroupId },
    success: CalendarFeedUrl,
    status: 201,
    errors: [GroupNotFound, Forbidden],
    summary: "Make a group's iCal feed",
    description:
      "The group's members: a secret address of the group's events. It answers 404 once you may no longer see the group or are no longer a member."
  },
  (rest) =>
    HttpApiEndpoint.post("createGroupFeed", "/groups/:id/calendar-feeds", rest.options).middleware(rest.middleware)
)

export const ListMyCalendarFeeds = Operation.make(
  {
    rpc: "ListMyCalendarFeeds",
    access: Access.signedIn,
    success: CalendarFeedList,
    errors: [],
    summary: "My iCal feeds",
    description: "Your feeds, oldest first, without their addresses (rotate one for a new address)."
  },
  (rest) => HttpApiEndpoint.get("listMyFeeds", "/me/calendar-feeds", rest.options).middleware(rest.middleware)
)

export const RotateCalendarFeed = Operation.make(
  {
    rpc: "RotateCalendarFeed",
    access: Access.signedIn,
    params: { id: CalendarFeedId },
    success: CalendarFeedUrl,
    errors: [CalendarFeedNotFound],
    summary: "Rotate an iCal feed's address",
    description: "A new secret address for your feed; the old one answers 404 from now on."
  },
  (rest) =>
    HttpApiEndpoint.post("rotateFeed", "/me/calendar-feeds/:id/rotate", rest.options).middleware(rest.middleware)
)

export const RevokeCalendarFeed = Operation.make(
  {
    rpc: "RevokeCalendarFeed",
    access: Access.signedIn,
    params: { id: CalendarFeedId },
    success: CalendarFeedList,
    errors: [CalendarFeedNotFound],
    summary: "Revoke an iCal feed",
    description: "Deletes your feed; its address answers 404 from now on. Answers your remaining feeds."
  },
  (rest) => HttpApiEndpoint.delete("revokeFeed", "/me/calendar-feeds/:id", rest.options).middleware(rest.middleware)
)

export const ListEventVersions = Operation.make(
  {
    rpc: "ListEventVersions",
    access: Access.signedIn,
    params: { id: EventId },
    query: PageQuery,
    success: EventVersionPage,
    errors: [EventNotFound, Forbidden, InvalidCursor],
    summary: "An event's history",
    description:
      "Those who may edit the event: every change (creation, edits in any scope, cancellations, co-hosts, restores), oldest first, with who made it and each field before and after."
  },
  (rest) => HttpApiEndpoint.get("listVersions", "/events/:id/versions", rest.options).middleware(rest.middleware)
)

export const DiffEventVersions = Operation.make(
  {
    rpc: "DiffEventVersions",
    access: Access.signedIn,
    params: { id: EventId },
    query: {
      from: EventVersionId.annotate({ description: "A version of the event" }),
      to: EventVersionId.annotate({ description: "Another version of the event (later or earlier)" })
    },
    success: EventVersionDiff,
    errors: [EventNotFound, EventVersionNotFound, Forbidden],
    summary: "Compare two versions",
    description:
      "Those who may edit the event: the event's fields (title, description, place, times, capacity, deadline, rule, status) that differ between the state each version left. Co-hosts and occurrences' changes are in each version's own changes."
  },
  (rest) => HttpApiEndpoint.get("diffVersions", "/events/:id/versions/diff", rest.options).middleware(rest.middleware)
)

export const RestoreEventVersion = Operation.make(
  {
    rpc: "RestoreEventVersion",
    access: Access.signedIn,
    params: { id: EventId, versionId: EventVersionId },
    success: Event,
    errors: [EventNotFound, EventVersionNotFound, Forbidden, EventCancelled, InvalidEventTime, InvalidRecurrence],
    summary: "Restore a version",
    description:
      "Those who may edit the event: its fields (title, description, place, times, capacity, deadline, rule) become those the version left; this is itself a new version. Co-hosts, occurrences' changes and a cancellation are not restored."
  },
  (rest) =>
    HttpApiEndpoint.post("restoreVersion", "/events/:id/versions/:versionId/restore", rest.options).middleware(
      rest.middleware
    )
)

export const EventsOperations = [
  CreateEvent,
  GetEvent,
  UpdateEvent,
  CancelEvent,
  AddEventCoHost,
  RemoveEventCoHost,
  RsvpToEvent,
  ListEventAttendees,
  ListGroupEvents,
  ListEventOccurrences,
  CancelEventOccurrence,
  RsvpToEventOccurrence,
  MyCalendar,
  ListMyEvents,
  GetEventCalendarFile,
  CreateMyCalendarFeed,
  CreateGroupCalendarFeed,
  ListMyCalendarFeeds,
  RotateCalendarFeed,
  RevokeCalendarFeed,
  ListEventVersions,
  DiffEventVersions,
  RestoreEventVersion
] as const

export class EventsApi extends Operation.httpGroup("events", EventsOperations).annotateMerge(
  OpenApi.annotations({ title: "Events", description: "Groups' events, RSVPs with capacity and waitlist, calendars" })
) {}

export const EventsRpcs = Operation.rpcGroup(EventsOperations)

export const EventsFeature = Feature.make({
  name: "events",
  rest: [EventsApi],
  rpcs: EventsRpcs,
  operations: EventsOperations,
  restOnly: [],
  rpcOnly: []
})
