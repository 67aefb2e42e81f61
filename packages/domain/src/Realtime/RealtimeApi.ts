import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Rpc, RpcGroup } from "effect/rpc"
import * as Feature from "../Kit/Feature.ts"
import { RpcRequestValidation } from "../Kit/InvalidRequest.ts"
import { Access } from "../Kit/Operation.ts"
import { Text } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { StreamMessage } from "./StreamMessage.ts"

/** A topic a stream may join besides your own: a group's, a post's, an event's or a channel's. */
export const StreamTopic = Text({
  minLength: 1,
  maxLength: 64,
  annotations: {
    description:
      "`group:<id>`: a group you may see (its new posts, members); `post:<id>`: a post you may see (its new comments); `event:<id>`: an event you may see (its changes); `channel:<id>`: a chat channel or conversation you may read (its messages)",
    examples: ["group:0190f4c2-7a3e-7c41-9d2a-5f1e8b6c4d3a"]
  }
}).check(
  Schema.isPattern(
    /^(group|post|event|channel):[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/u
  )
)

export const StreamTopics = Schema.Array(StreamTopic).check(Schema.isMaxLength(200))

/** A stream position: the `cursor` of a message. */
export const StreamCursor = Text({
  minLength: 1,
  maxLength: 20,
  annotations: { description: "The `cursor` of the last message you received; omit to start from now" }
}).check(Schema.isPattern(/^\d+$/u))

/** The topic does not exist or you may not see it. */
export class StreamTopicNotFound extends Schema.TaggedError<StreamTopicNotFound>()(
  "StreamTopicNotFound",
  { message: Schema.String, topic: Schema.String },
  { httpApiStatus: 404, identifier: "StreamTopicNotFound", description: "No such topic, or not one you may see" }
) {}

/** The stream ticket is malformed, expired, or its session has ended. */
export class InvalidStreamTicket extends Schema.TaggedError<InvalidStreamTicket>()(
  "InvalidStreamTicket",
  { message: Schema.String },
  { httpApiStatus: 401, identifier: "InvalidStreamTicket", description: "Sign in again and get a new ticket" }
) {}

export const StreamTicket = Schema.Struct({
  ticket: Schema.String.annotate({ description: "Pass as `?ticket=` to `GET /api/v1/stream`" }),
  expiresAt: Timestamp
}).annotate({
  identifier: "StreamTicket",
  description: "Lets an EventSource, which cannot send headers, open your stream"
})

/** An SSE event of the stream: `id` is the message's cursor, `event` its type, `data` the message. */
export const StreamSseEvent = Schema.Struct({
  id: Schema.optional(Schema.String),
  event: Schema.String,
  data: Schema.fromJsonString(StreamMessage)
})

export const OpenStream = HttpApiEndpoint.get("open", "/stream", {
  query: {
    topics: Schema.optional(
      StreamTopics.annotate({ description: "Topics to join besides your own (repeat the parameter)" })
    ),
    cursor: Schema.optional(StreamCursor),
    ticket: Schema.optional(
      Text({
        maxLength: 512,
        annotations: { description: "A stream ticket, for clients that cannot send `Authorization`" }
      })
    )
  },
  headers: {
    "last-event-id": Schema.optional(
      StreamCursor.annotate({ description: "Sent by EventSource when it reconnects; wins over `cursor`" })
    )
  },
  success: HttpApiSchema.StreamSse({ events: StreamSseEvent }),
  error: [StreamTopicNotFound, InvalidStreamTicket]
})
  .middleware(Access.anyone.http)
  .annotateMerge(
    OpenApi.annotations({
      summary: "Your realtime stream (Server-Sent Events)",
      description:
        "Your notifications and counts, and the topics you join, as they happen. Resume with `Last-Event-ID` (or `cursor`) to receive what you missed, in order and once, within the retention window. Authenticate with `Authorization: Bearer` or `?ticket=`."
    })
  )

export const CreateStreamTicket = HttpApiEndpoint.post("createTicket", "/stream/tickets", {
  success: StreamTicket.pipe(HttpApiSchema.status(201))
})
  .middleware(Access.signedIn.http)
  .annotateMerge(
    OpenApi.annotations({
      summary: "A ticket for EventSource",
      description:
        "Browsers' EventSource cannot send headers: open the stream with `?ticket=` instead. Valid for an hour, while your session lasts."
    })
  )

export class RealtimeApi extends HttpApiGroup.make("stream")
  .add(OpenStream)
  .add(CreateStreamTicket)
  .annotateMerge(OpenApi.annotations({ title: "Realtime", description: "Your live stream of events" })) {}

/** The stream over RPC (WebSocket or HTTP with NDJSON): the same messages as the SSE endpoint. */
export const Stream = Rpc.make("Stream", {
  payload: { topics: Schema.optional(StreamTopics), cursor: Schema.optional(StreamCursor) },
  success: StreamMessage,
  error: StreamTopicNotFound,
  stream: true
})
  .middleware(Access.signedIn.rpc)
  .middleware(RpcRequestValidation)

export class RealtimeRpcs extends RpcGroup.make(Stream) {}

export const RealtimeFeature = Feature.make({
  name: "realtime",
  rest: [RealtimeApi],
  rpcs: RealtimeRpcs,
  operations: [],
  restOnly: [
    {
      name: "stream.open",
      why: "Server-Sent Events: its RPC twin is the streaming `Stream`, whose input has no SSE headers or tickets"
    },
    { name: "stream.createTicket", why: "only EventSource needs a ticket; RPC clients authenticate every call" }
  ],
  rpcOnly: [{ name: "Stream", why: "the RPC twin of `GET /stream` (SSE), a stream of the same messages" }]
})
