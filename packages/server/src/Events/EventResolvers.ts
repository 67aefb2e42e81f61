import { Effect } from "effect"
import type { SubjectResolver } from "../Notifications/NotificationSubjects.ts"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { Events } from "./Events.ts"

/** An event's topic may be joined by whoever may see the event. */
export const EventTopics = Effect.map(
  Events,
  (events): TopicResolver => ({
    kind: "event",
    allowed: (viewer, id) => Effect.map(events.visible(viewer, [id]), (visible) => visible.has(id))
  })
)

/** A notification about an event is shown while the event exists and its recipient may see it. */
export const EventSubjects = Effect.map(
  Events,
  (events): SubjectResolver => ({ kind: "event", visible: (viewer, ids) => events.visible(viewer, ids) })
)
