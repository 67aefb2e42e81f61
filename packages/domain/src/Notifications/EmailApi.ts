import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { Text } from "../Kit/Text.ts"
import { NotificationType } from "./Catalogue.ts"

/** The signed token of an unsubscribe link: who, and which kind of notification (or every kind). */
export const UnsubscribeToken = Text({
  minLength: 1,
  maxLength: 512,
  annotations: { description: "The `token` of the unsubscribe link in a notification email" }
})

export class InvalidUnsubscribeLink extends Schema.TaggedError<InvalidUnsubscribeLink>()(
  "InvalidUnsubscribeLink",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidUnsubscribeLink",
    description: "The unsubscribe link is malformed, altered, or not from this server"
  }
) {}

export class EmailUnsubscription extends Schema.Class<EmailUnsubscription>("EmailUnsubscription")(
  {
    type: Schema.NullOr(NotificationType).annotate({
      description: "The kind of notification the link stops emails of; null for a digest's link: every kind"
    }),
    description: Schema.String.annotate({ description: "What those emails are about" }),
    email: Schema.Boolean.annotate({ description: "Whether those emails are still on" }),
    message: Schema.String.annotate({ description: "What to do with the link" })
  },
  { description: "What an unsubscribe link stops; opening it changes nothing" }
) {}

const unsubscribePath = "/notifications/email/unsubscribe"

export const DescribeEmailUnsubscribe = Operation.make(
  {
    rpc: "DescribeEmailUnsubscribe",
    access: Access.public,
    query: { token: UnsubscribeToken },
    success: EmailUnsubscription,
    errors: [InvalidUnsubscribeLink],
    summary: "What an unsubscribe link stops",
    description:
      "Answers which emails the link of a notification email stops, without changing anything (RFC 8058: opening a link must not unsubscribe)."
  },
  (rest) => HttpApiEndpoint.get("describeUnsubscribe", unsubscribePath, rest.options).middleware(rest.middleware)
)

export const UnsubscribeFromEmail = Operation.make(
  {
    rpc: "UnsubscribeFromEmail",
    access: Access.public,
    query: { token: UnsubscribeToken },
    errors: [InvalidUnsubscribeLink],
    summary: "Unsubscribe with an email's link (one-click)",
    description:
      "Turns off the emails the link is for: one kind of notification, or every kind for a digest's link. The `List-Unsubscribe` header of every notification email names this URL and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so mail clients POST it with the form body `List-Unsubscribe=One-Click` (RFC 8058); any body, or none, is accepted. Unsubscribing twice changes nothing."
  },
  (rest) => HttpApiEndpoint.post("unsubscribe", unsubscribePath, rest.options).middleware(rest.middleware)
)

export const NotificationEmailsOperations = [DescribeEmailUnsubscribe, UnsubscribeFromEmail] as const

export class NotificationEmailsApi extends Operation.httpGroup(
  "notificationEmails",
  NotificationEmailsOperations
).annotateMerge(
  OpenApi.annotations({
    title: "Notification emails",
    description: "The unsubscribe links of notification emails, usable without signing in"
  })
) {}

export class NotificationEmailsRpcs extends Operation.rpcGroup(NotificationEmailsOperations) {}

export const NotificationEmailsFeature = Feature.make({
  name: "notificationEmails",
  rest: [NotificationEmailsApi],
  rpcs: NotificationEmailsRpcs,
  operations: NotificationEmailsOperations,
  restOnly: [],
  rpcOnly: []
})
