import { Effect } from "effect"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import { Events } from "./Events.ts"

/** A notification about an event is shown while the event exists and its recipient may see it. */
export const EventSubjects = Effect.map(
  Events,
  (events): SubjectResolver => ({ kind: "event", visible: (viewer, ids) => events.visible(viewer, ids) })
)
