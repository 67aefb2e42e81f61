import { EventRsvpsEvent, EventUpdatedEvent } from "@moim/domain/Events/EventStreamEvents"
import { GroupMemberChanged, GroupUpdated } from "@moim/domain/Groups/GroupStreamEvents"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { CommentCreatedEvent, PostCreatedEvent } from "@moim/domain/Posts/PostStreamEvents"
import type { StreamTopicNotFound } from "@moim/domain/Realtime/RealtimeApi"
import { ChatStreamMessage, type StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { type Cause, Context, Effect, Layer, Option, Queue, Schedule, Schema, Stream } from "effect"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Notifications } from "../Notifications/Notifications.ts"
import { EphemeralSignals } from "./EphemeralSignals.ts"
import { StreamHub } from "./StreamHub.ts"
import { userTopic } from "./StreamOutbox.ts"
import { StreamRepo, type StreamRow } from "./StreamRepo.ts"
import { TopicAccess } from "./TopicAccess.ts"

type SignedIn = CurrentUser["Service"]

/** Sent when nothing else was, so clients and proxies know the connection is alive. */
const heartbeatInterval = "25 seconds"

const decodeNotificationEvent = Schema.decodeUnknownOption(Schema.Struct({ notificationId: NotificationId }))
const decodeAccessEvent = Schema.decodeUnknownOption(Schema.Struct({ topic: Schema.String }))
const decodeGroupUpdated = Schema.decodeUnknownOption(Schema.toCodecJson(GroupUpdated))
const decodeMemberChanged = Schema.decodeUnknownOption(Schema.toCodecJson(GroupMemberChanged))
const decodePostCreated = Schema.decodeUnknownOption(Schema.toCodecJson(PostCreatedEvent))
const decodeCommentCreated = Schema.decodeUnknownOption(Schema.toCodecJson(CommentCreatedEvent))
const decodeEventUpdated = Schema.decodeUnknownOption(Schema.toCodecJson(EventUpdatedEvent))
const decodeEventRsvps = Schema.decodeUnknownOption(Schema.toCodecJson(EventRsvpsEvent))
const decodeChatMessage = Schema.decodeUnknownOption(Schema.toCodecJson(ChatStreamMessage))

/**
 * A chat event as a stream message, decoded once however many connections receive it: the hub hands
 * every subscriber of a topic the same row.
 */
const decodedChat = new WeakMap<StreamRow, Option.Option<ChatStreamMessage>>()
const decodeChat = (row: StreamRow): Option.Option<ChatStreamMessage> => {
  const known = decodedChat.get(row)
  if (known !== undefined) return known
  const decoded = decodeChatMessage({ type: row.type, topic: row.topic, cursor: String(row.seq), data: row.data })
  decodedChat.set(row, decoded)
  return decoded
}

/**
 * A user's realtime stream: their own topic and the topics they join, each joined only if they may
 * see it and left as soon as they may not (an `access.changed` event on their own topic makes the
 * stream check again, in order with everything else). First `stream.ready` (sent at once, so the
 * client knows it is subscribed), then with a cursor what was missed (read from the database), then
 * live events from the hub, each exactly once and in `seq` order.
 */
export class Realtime extends Context.Service<
  Realtime,
  {
    readonly open: (
      user: SignedIn,
      input: { readonly topics?: ReadonlyArray<string> | undefined; readonly cursor?: string | undefined }
    ) => Effect.Effect<Stream.Stream<StreamMessage>, StreamTopicNotFound>
  }
>()("@moim/server/Realtime/Realtime") {
  static readonly layer = Layer.effect(
    Realtime,
    Effect.gen(function* () {
      const hub = yield* StreamHub
      const repo = yield* StreamRepo
      const access = yield* TopicAccess
      const blocks = yield* Blocks
      const notifications = yield* Notifications
      const signals = yield* EphemeralSignals

      return Realtime.of({
        open: Effect.fn("Realtime.open")(function* (user, input) {
          const actor = Actor.of(user)
          const requested = [...new Set(input.topics ?? [])]
          yield* Effect.forEach(requested, (topic) => access.authorize(actor, topic), { discard: true })
          const own = userTopic(user.userId)

          const messages = Stream.unwrap(
            Effect.gen(function* () {
              const joined = new Set([own, ...requested])
              const subscription = yield* hub.subscribe(joined)
              const out = yield* Queue.bounded<StreamMessage, Cause.Done>(64)
              let last = subscription.position

              const counts = (cursor: string) =>
                Effect.map(
                  notifications.counts(user),
                  (data): StreamMessage => ({ type: "notification.counts", topic: own, cursor, data })
                )

              const leave = Effect.fn(function* (topic: string, reason: "access" | "deleted", cursor: string) {
                if (!joined.delete(topic)) return
                yield* subscription.setTopics(new Set(joined))
                yield* Queue.offer(out, { type: "topic.left", topic, cursor, data: { reason } })
              })

              /** What one stream event means for this user, in order. */
              const handle = Effect.fn(function* (row: StreamRow) {
                last = row.seq
                if (!joined.has(row.topic)) return
                const cursor = String(row.seq)
                switch (row.type) {
                  case "notification.created": {
                    const event = decodeNotificationEvent(row.data)
                    if (Option.isNone(event)) return
                    const shown = yield* notifications.find(user, event.value.notificationId)
                    if (Option.isSome(shown)) {
                      yield* Queue.offer(out, {
                        type: "notification.created",
                        topic: own,
                        cursor,
                        data: { notification: shown.value }
                      })
                    }
                    yield* Queue.offer(out, yield* counts(cursor))
                    return
                  }
                  case "notifications.changed":
                    yield* Queue.offer(out, yield* counts(cursor))
                    return
                  case "access.changed": {
                    const event = decodeAccessEvent(row.data)
                    if (Option.isNone(event)) return
                    // Leaving a group changes what one may see inside it too (its channels, posts,
                    // events): every topic joined is checked again.
                    const topics = event.value.topic.startsWith("group:")
                      ? [...joined].filter((topic) => topic !== own)
                      : joined.has(event.value.topic)
                        ? [event.value.topic]
                        : []
                    for (const topic of topics) {
                      if (!(yield* access.allowed(actor, topic))) yield* leave(topic, "access", cursor)
                    }
                    return
                  }
                  case "group.updated":
                  case "group.deleted": {
                    const data = decodeGroupUpdated(row.data)
                    if (Option.isNone(data)) return
                    yield* Queue.offer(out, { type: row.type, topic: row.topic, cursor, data: data.value })
                    if (row.type === "group.deleted") yield* leave(row.topic, "deleted", cursor)
                    return
                  }
                  case "group.memberJoined":
                  case "group.memberLeft": {
                    const data = decodeMemberChanged(row.data)
                    if (Option.isNone(data)) return
                    yield* Queue.offer(out, { type: row.type, topic: row.topic, cursor, data: data.value })
                    return
                  }
                  // Posts: only one the user may see (a post hidden after reports is not announced).
                  case "post.created": {
                    const data = decodePostCreated(row.data)
                    if (Option.isNone(data) || !(yield* access.allowed(actor, `post:${data.value.postId}`))) return
                    yield* Queue.offer(out, { type: row.type, topic: row.topic, cursor, data: data.value })
                    return
                  }
                  // A post the user can no longer see (hidden, deleted, its group gone private) is left.
                  case "comment.created": {
                    const data = decodeCommentCreated(row.data)
                    if (Option.isNone(data)) return
                    if (!(yield* access.allowed(actor, row.topic))) return yield* leave(row.topic, "access", cursor)
                    // Not the comment of someone either blocked.
                    if (yield* blocks.between(actor.userId, data.value.authorId)) return
                    yield* Queue.offer(out, { type: row.type, topic: row.topic, cursor, data: data.value })
                    return
                  }
                  // An event the user can no longer see (its group gone private, left) is left.
                  case "event.updated": {
                    const data = decodeEventUpdated(row.data)
                    if (Option.isNone(data)) return
                    if (!(yield* access.allowed(actor, row.topic))) return yield* leave(row.topic, "access", cursor)
                    yield* Queue.offer(out, { type: row.type, topic: row.topic, cursor, data: data.value })
                    return
                  }
                  // Chat: whoever may read the channel has its topic (losing access arrives as
                  // `access.changed`), so its events pass as they are, decoded once per event.
                  case "chat.message.created":
                  case "chat.message.updated":
                  case "chat.message.deleted":
                  case "chat.thread.updated":
                  case "chat.channel.updated":
                  case "chat.member.joined":
                  case "chat.member.left":
                  case "chat.read":
                  case "chat.reaction.changed": {
                    const message = decodeChat(row)
                    if (Option.isSome(message)) yield* Queue.offer(out, { ...message.value, cursor })
                    return
                  }
                  case "event.rsvps": {
                    const data = decodeEventRsvps(row.data)
                    if (Option.isNone(data)) return
                    if (!(yield* access.allowed(actor, row.topic))) return yield* leave(row.topic, "access", cursor)
                    yield* Queue.offer(out, { type: row.type, topic: row.topic, cursor, data: data.value })
                    return
                  }
                }
              })

              const replay = Effect.fn(function* (from: number) {
                let seq = from
                while (seq < subscription.position) {
                  const rows = yield* repo.after({
                    seq,
                    through: subscription.position,
                    topics: [...joined],
                    limit: 500
                  })
                  if (rows.length === 0) return
                  for (const row of rows) yield* handle(row)
                  seq = rows[rows.length - 1]?.seq ?? subscription.position
                }
              })

              const start = Effect.gen(function* () {
                yield* Queue.offer(out, {
                  type: "stream.ready",
                  topic: own,
                  cursor: input.cursor ?? String(subscription.position),
                  data: { topics: [...joined] }
                })
                if (input.cursor === undefined) return
                const cursor = Number(input.cursor)
                const purged = yield* repo.purgedThrough
                if (cursor < purged || cursor > subscription.position) {
                  yield* Queue.offer(out, {
                    type: "stream.reset",
                    topic: own,
                    cursor: String(subscription.position),
                    data: { reason: cursor < purged ? "expired" : "unknown" }
                  })
                  return
                }
                yield* replay(cursor)
              })

              const live = Effect.forever(
                Effect.flatMap(Queue.take(subscription.queue), (row) => (row.seq > last ? handle(row) : Effect.void))
              )

              // Typing and presence, live only (listening before `stream.ready`): none of a topic once it is left.
              const signalled = Stream.runForEach(yield* signals.open(user, [...joined]), (message) =>
                joined.has(message.topic) ? Queue.offer(out, message) : Effect.void
              )

              yield* Effect.forkScoped(
                Effect.andThen(start, Effect.all([live, signalled], { concurrency: 2, discard: true })).pipe(
                  Effect.catchCause((cause) => Effect.logDebug("a stream ended", cause)),
                  Effect.ensuring(Queue.end(out))
                )
              )
              return Stream.fromQueue(out)
            })
          )

          const heartbeats = Stream.fromSchedule(Schedule.spaced(heartbeatInterval)).pipe(
            Stream.map((): StreamMessage => ({ type: "stream.heartbeat", topic: own, cursor: "", data: {} }))
          )
          return Stream.merge(messages, heartbeats, { haltStrategy: "left" })
        })
      })
    })
  )
}
