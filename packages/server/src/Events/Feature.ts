import { CalendarFeedRoute } from "./CalendarFeedRoute.ts"
import { EventsHttpLive, EventsRpc } from "./Handlers.ts"

/** What events add to the server: the REST group, the RPC handlers, the iCal feed route. */
export const EventsFeature = {
  http: EventsHttpLive,
  rpc: EventsRpc,
  routes: CalendarFeedRoute,
  plainRoutes: [
    {
      route: "GET /api/v1/calendar/:token.ics",
      why: "an iCal feed for calendar apps: text/calendar, read with the secret token in the address instead of credentials, not JSON"
    }
  ]
}
