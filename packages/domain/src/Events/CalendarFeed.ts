import { Schema } from "effect"
import { GroupId } from "../Groups/Group.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const CalendarFeedId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("CalendarFeedId"))
  .annotate({ identifier: "CalendarFeedId", description: "A calendar feed's id (UUIDv7)" })
export type CalendarFeedId = typeof CalendarFeedId.Type

export const CalendarFeedKind = Schema.Literals(["user", "group"]).annotate({
  identifier: "CalendarFeedKind",
  description:
    "`user`: the events you answered `going` or `interested` (and your groups' events with `includeGroups`); `group`: one group's events"
})

/** A feed as its owner lists it; the token is never shown again after it is made or rotated. */
export class CalendarFeed extends Schema.Class<CalendarFeed>("CalendarFeed")(
  Schema.Struct({
    id: CalendarFeedId,
    kind: CalendarFeedKind,
    groupId: Schema.NullOr(GroupId),
    includeGroups: Schema.Boolean,
    createdAt: Timestamp,
    rotatedAt: Timestamp
  }).annotate({ description: "An iCal feed of yours, without its secret address" }),
  { description: "An iCal feed of yours, without its secret address" }
) {}

export class CalendarFeedList extends Schema.Class<CalendarFeedList>("CalendarFeedList")(
  Schema.Struct({ items: Schema.Array(CalendarFeed) }).annotate({ description: "Your iCal feeds, oldest first" }),
  { description: "Your iCal feeds, oldest first" }
) {}

/** The feed with its secret address: answered once, when it is made or rotated. */
export class CalendarFeedUrl extends Schema.Class<CalendarFeedUrl>("CalendarFeedUrl")(
  Schema.Struct({
    feed: CalendarFeed,
    url: Schema.String.annotate({
      description: "The feed's secret address (`text/calendar`), to subscribe to in a calendar app; shown only now"
    })
  }).annotate({ description: "A feed and its secret address" }),
  { description: "A feed and its secret address" }
) {}

/** One event as an iCalendar file. */
export class EventCalendarFile extends Schema.Class<EventCalendarFile>("EventCalendarFile")(
  Schema.Struct({
    filename: Schema.String.annotate({ description: "A file name for it, `<event id>.ics`" }),
    contentType: Schema.Literal("text/calendar"),
    ics: Schema.String.annotate({
      description: "The iCalendar text (RFC 5545): the event, or the series with its changed and cancelled occurrences"
    })
  }).annotate({ description: "An event as an .ics file" }),
  { description: "An event as an .ics file" }
) {}

export const CreateUserFeedPayload = Schema.Struct({
  includeGroups: Schema.optional(Schema.Boolean).annotate({
    description: "Also every event of the groups you belong to (default false: only what you answered)"
  })
}).annotate({ identifier: "CreateUserFeedPayload", description: "What your feed holds" })

export class CalendarFeedNotFound extends Schema.TaggedError<CalendarFeedNotFound>()(
  "CalendarFeedNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "CalendarFeedNotFound", description: "No such calendar feed of yours" }
) {}
