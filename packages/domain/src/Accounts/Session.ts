import { Schema } from "effect"
import { Timestamp } from "../Kit/Timestamp.ts"
import { User } from "./User.ts"

export const SessionId = Schema.String.check(Schema.isUUID(), Schema.isMaxLength(36))
  .pipe(Schema.brand("SessionId"))
  .annotate({
    identifier: "SessionId",
    description: "A device session's id (UUIDv7)"
  })
export type SessionId = typeof SessionId.Type

/** One signed-in device. */
export class Session extends Schema.Class<Session>("Session")(
  Schema.Struct({
    id: SessionId,
    deviceName: Schema.NullOr(Schema.String),
    userAgent: Schema.NullOr(Schema.String),
    lastIp: Schema.NullOr(Schema.String),
    createdAt: Timestamp,
    lastUsedAt: Timestamp,
    current: Schema.Boolean.annotate({ description: "True for the session making this request" })
  }).annotate({ description: "A signed-in device" }),
  { description: "A signed-in device" }
) {}

/** What signup, login and refresh return. */
export class AuthResult extends Schema.Class<AuthResult>("AuthResult")(
  {
    user: User,
    accessToken: Schema.String.annotate({
      description: "Short-lived JWT; send as `Authorization: Bearer <accessToken>`"
    }),
    accessTokenExpiresAt: Timestamp,
    refreshToken: Schema.String.annotate({
      description:
        "Long-lived, single-use token for `POST /auth/refresh`; keep it secret. Empty in cookie mode (`Moim-Session-Mode: cookie`): the token is then in the `HttpOnly` cookie `moim_refresh`, out of reach of scripts"
    })
  },
  { description: "A signed-in session: the user and a token pair" }
) {}
