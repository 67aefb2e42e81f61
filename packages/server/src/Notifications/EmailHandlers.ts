import { Api } from "@moim/domain/Api"
import {
  DescribeEmailUnsubscribe,
  NotificationEmailsRpcs,
  UnsubscribeFromEmail
} from "@moim/domain/Notifications/EmailApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { PublicRateLimitLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { EmailUnsubscribe } from "./EmailUnsubscribe.ts"

/** One handler per notification-email operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const unsubscribe = yield* EmailUnsubscribe
  return NotificationEmailsRpcs.of({
    DescribeEmailUnsubscribe: ({ token }) => unsubscribe.describe(token),
    UnsubscribeFromEmail: ({ token }) => unsubscribe.unsubscribe(token)
  })
})

export const NotificationEmailsRpc = NotificationEmailsRpcs.toLayer(handlers)

const NotificationEmailsHttp = HttpApiBuilder.group(Api, "notificationEmails", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(DescribeEmailUnsubscribe, handler.DescribeEmailUnsubscribe),
      ...Operations.rest(UnsubscribeFromEmail, handler.UnsubscribeFromEmail)
    })
  )
)

/** The notification-email REST group with the middleware its endpoints use. */
export const NotificationEmailsHttpLive = NotificationEmailsHttp.pipe(Layer.provide(PublicRateLimitLive))
