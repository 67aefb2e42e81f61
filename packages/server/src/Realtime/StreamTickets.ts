import { createHmac, timingSafeEqual } from "node:crypto"
import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId } from "@moim/domain/Accounts/User"
import { InvalidStreamTicket } from "@moim/domain/Realtime/RealtimeApi"
import { Context, DateTime, Duration, Effect, Layer, Option, Schema } from "effect"
import { ServerSecret } from "../platform/ServerSecret.ts"

const ticketLifetime = Duration.hours(1)

const Claims = Schema.Struct({ sessionId: SessionId, userId: UserId, expiresAt: Schema.Number })
const decodeClaims = Schema.decodeUnknownOption(Schema.fromJsonString(Claims))

const invalid = new InvalidStreamTicket({ message: "The stream ticket is invalid or expired" })

/**
 * Tickets for opening the stream without an `Authorization` header (browsers' EventSource): the
 * session and user, an expiry, and an HMAC over them. The session is checked again on every use,
 * so signing out ends the ticket too.
 */
export class StreamTickets extends Context.Service<
  StreamTickets,
  {
    readonly issue: (session: {
      readonly sessionId: SessionId
      readonly userId: UserId
    }) => Effect.Effect<{ readonly ticket: string; readonly expiresAt: DateTime.Utc }>
    readonly verify: (
      ticket: string
    ) => Effect.Effect<{ readonly sessionId: SessionId; readonly userId: UserId }, InvalidStreamTicket>
  }
>()("@moim/server/Realtime/StreamTickets") {
  static readonly layer = Layer.effect(
    StreamTickets,
    Effect.gen(function* () {
      const key = (yield* ServerSecret).derive("stream-ticket")
      const mac = (body: string) => createHmac("sha256", key).update(body).digest().subarray(0, 18)
      return StreamTickets.of({
        issue: Effect.fn("StreamTickets.issue")(function* (session) {
          const expiresAt = DateTime.addDuration(yield* DateTime.now, ticketLifetime)
          const body = Buffer.from(
            JSON.stringify({
              sessionId: session.sessionId,
              userId: session.userId,
              expiresAt: DateTime.toEpochMillis(expiresAt)
            })
          ).toString("base64url")
          return { ticket: `${body}.${mac(body).toString("base64url")}`, expiresAt }
        }),
        verify: Effect.fn("StreamTickets.verify")(function* (ticket) {
          const [body, tag, extra] = ticket.split(".")
          if (body === undefined || tag === undefined || extra !== undefined) return yield* invalid
          const given = Buffer.from(tag, "base64url")
          const expected = mac(body)
          if (given.length !== expected.length || !timingSafeEqual(given, expected)) return yield* invalid
          const claims = decodeClaims(Buffer.from(body, "base64url").toString("utf8"))
          if (Option.isNone(claims)) return yield* invalid
          if (claims.value.expiresAt <= DateTime.toEpochMillis(yield* DateTime.now)) return yield* invalid
          return { sessionId: claims.value.sessionId, userId: claims.value.userId }
        })
      })
    })
  )
}
