import { Api } from "@moim/domain/Api"
import { CurrentUser, CurrentViewer } from "@moim/domain/Kit/Authentication"
import { InvalidStreamTicket, RealtimeRpcs } from "@moim/domain/Realtime/RealtimeApi"
import { Effect, Layer, Option, Stream } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive, OptionalAuthenticationLive } from "../Access/AccessLive.ts"
import { Sessions } from "../Accounts/Sessions.ts"
import { Realtime } from "./Realtime.ts"
import { StreamTickets } from "./StreamTickets.ts"

/** The stream over RPC: the signed-in user's, as `Realtime.open` makes it. */
export const RealtimeRpc = RealtimeRpcs.toLayer(
  Effect.gen(function* () {
    const realtime = yield* Realtime
    return RealtimeRpcs.of({
      Stream: (input) => Stream.unwrap(CurrentUser.use((user) => realtime.open(user, input)))
    })
  })
)

const RealtimeHttp = HttpApiBuilder.group(Api, "stream", (group) =>
  Effect.gen(function* () {
    const realtime = yield* Realtime
    const tickets = yield* StreamTickets
    const sessions = yield* Sessions
    return group
      .handle("open", ({ query, headers }) =>
        Effect.gen(function* () {
          const viewer = yield* CurrentViewer
          const user = Option.isSome(viewer)
            ? viewer.value
            : query.ticket === undefined
              ? yield* new InvalidStreamTicket({
                  message: "Send `Authorization: Bearer <access token>`, or `?ticket=` from POST /api/v1/stream/tickets"
                })
              : yield* Effect.flatMap(tickets.verify(query.ticket), (session) =>
                  sessions
                    .authenticateSession(session)
                    .pipe(Effect.mapError(() => new InvalidStreamTicket({ message: "The ticket's session has ended" })))
                )
          const messages = yield* realtime.open(user, {
            topics: query.topics,
            cursor: headers["last-event-id"] ?? query.cursor
          })
          return Stream.map(messages, (message) => ({
            ...(message.cursor === "" ? {} : { id: message.cursor }),
            event: message.type,
            data: message
          }))
        })
      )
      .handle("createTicket", () =>
        CurrentUser.use((user) => tickets.issue({ sessionId: user.sessionId, userId: user.userId }))
      )
  })
)

/** The realtime REST group with the middleware its endpoints use. */
export const RealtimeHttpLive = RealtimeHttp.pipe(Layer.provide([AuthenticationLive, OptionalAuthenticationLive]))
