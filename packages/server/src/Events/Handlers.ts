import { Api } from "@moim/domain/Api"
import {
  AddEventCoHost,
  CancelEvent,
  CancelEventOccurrence,
  CreateEvent,
  CreateGroupCalendarFeed,
  CreateMyCalendarFeed,
  DiffEventVersions,
  EventsRpcs,
  GetEvent,
  GetEventCalendarFile,
  ListEventAttendees,
  ListEventOccurrences,
  ListEventVersions,
  ListGroupEvents,
  ListMyCalendarFeeds,
  ListMyEvents,
  MyCalendar,
  RemoveEventCoHost,
  RestoreEventVersion,
  RevokeCalendarFeed,
  RotateCalendarFeed,
  RsvpToEvent,
  RsvpToEventOccurrence,
  UpdateEvent
} from "@moim/domain/Events/EventsApi"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { CalendarFeeds } from "./CalendarFeeds.ts"
import { Events } from "./Events.ts"

/** One handler per event operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const events = yield* Events
  const feeds = yield* CalendarFeeds
  return EventsRpcs.of({
    CreateEvent: ({ id, ...input }) => CurrentUser.use((user) => events.create(user, id, input)),
    GetEvent: ({ id }) => CurrentViewer.use((viewer) => events.get(viewer, id)),
    UpdateEvent: ({ id, expectedVersion, ...input }) =>
      CurrentUser.use((user) => events.update(user, id, input, expectedVersion)),
    CancelEvent: ({ id, reason }) => CurrentUser.use((user) => events.cancel(user, id, reason)),
    AddEventCoHost: ({ id, userId }) => CurrentUser.use((user) => events.addCoHost(user, id, userId)),
    RemoveEventCoHost: ({ id, userId }) => CurrentUser.use((user) => events.removeCoHost(user, id, userId)),
    RsvpToEvent: ({ id, status }) => CurrentUser.use((user) => events.rsvp(user, id, status)),
    ListEventAttendees: ({ id, ...query }) => CurrentViewer.use((viewer) => events.attendees(viewer, id, query)),
    ListGroupEvents: ({ id, ...query }) => CurrentViewer.use((viewer) => events.listInGroup(viewer, id, query)),
    ListEventOccurrences: ({ id, ...range }) => CurrentViewer.use((viewer) => events.occurrences(viewer, id, range)),
    CancelEventOccurrence: ({ id, occurrence, reason }) =>
      CurrentUser.use((user) => events.cancelOccurrence(user, id, occurrence, reason)),
    RsvpToEventOccurrence: ({ id, occurrence, status }) =>
      CurrentUser.use((user) => events.rsvpOccurrence(user, id, occurrence, status)),
    MyCalendar: (query) => CurrentUser.use((user) => events.calendar(user, query)),
    ListMyEvents: (query) => CurrentUser.use((user) => events.listMine(user, query)),
    GetEventCalendarFile: ({ id }) => CurrentViewer.use((viewer) => feeds.eventFile(viewer, id)),
    CreateMyCalendarFeed: ({ includeGroups }) =>
      CurrentUser.use((user) => feeds.createForUser(user, includeGroups ?? false)),
    CreateGroupCalendarFeed: ({ id }) => CurrentUser.use((user) => feeds.createForGroup(user, id)),
    ListMyCalendarFeeds: () => CurrentUser.use((user) => feeds.list(user)),
    RotateCalendarFeed: ({ id }) => CurrentUser.use((user) => feeds.rotate(user, id)),
    RevokeCalendarFeed: ({ id }) => CurrentUser.use((user) => feeds.revoke(user, id)),
    ListEventVersions: ({ id, ...query }) => CurrentUser.use((user) => events.versions(user, id, query)),
    DiffEventVersions: ({ id, from, to }) => CurrentUser.use((user) => events.diffVersions(user, id, from, to)),
    RestoreEventVersion: ({ id, versionId }) => CurrentUser.use((user) => events.restore(user, id, versionId))
  })
})

export const EventsRpc = EventsRpcs.toLayer(handlers)

const EventsHttp = HttpApiBuilder.group(Api, "events", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(CreateEvent, handler.CreateEvent),
      ...Operations.rest(GetEvent, handler.GetEvent),
      ...Operations.rest(UpdateEvent, handler.UpdateEvent),
      ...Operations.rest(CancelEvent, handler.CancelEvent),
      ...Operations.rest(AddEventCoHost, handler.AddEventCoHost),
      ...Operations.rest(RemoveEventCoHost, handler.RemoveEventCoHost),
      ...Operations.rest(RsvpToEvent, handler.RsvpToEvent),
      ...Operations.rest(ListEventAttendees, handler.ListEventAttendees),
      ...Operations.rest(ListGroupEvents, handler.ListGroupEvents),
      ...Operations.rest(ListEventOccurrences, handler.ListEventOccurrences),
      ...Operations.rest(CancelEventOccurrence, handler.CancelEventOccurrence),
      ...Operations.rest(RsvpToEventOccurrence, handler.RsvpToEventOccurrence),
      ...Operations.rest(MyCalendar, handler.MyCalendar),
      ...Operations.rest(ListMyEvents, handler.ListMyEvents),
      ...Operations.rest(GetEventCalendarFile, handler.GetEventCalendarFile),
      ...Operations.rest(CreateMyCalendarFeed, handler.CreateMyCalendarFeed),
      ...Operations.rest(CreateGroupCalendarFeed, handler.CreateGroupCalendarFeed),
      ...Operations.rest(ListMyCalendarFeeds, handler.ListMyCalendarFeeds),
      ...Operations.rest(RotateCalendarFeed, handler.RotateCalendarFeed),
      ...Operations.rest(RevokeCalendarFeed, handler.RevokeCalendarFeed),
      ...Operations.rest(ListEventVersions, handler.ListEventVersions),
      ...Operations.rest(DiffEventVersions, handler.DiffEventVersions),
      ...Operations.rest(RestoreEventVersion, handler.RestoreEventVersion)
    })
  )
)

/** The events REST group with the middleware its endpoints use. */
export const EventsHttpLive = EventsHttp.pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
