import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import {
  PushEndpointRefused,
  PushNotConfigured,
  PushPublicKey,
  PushSubscription,
  PushSubscriptionId,
  PushSubscriptionNotFound,
  RegisterPushSubscriptionPayload
} from "./PushSubscription.ts"

export const GetPushPublicKey = Operation.make(
  {
    rpc: "GetPushPublicKey",
    // Anyone, not `open`: a page may ask before its user signs in, and the per-address limit costs
    // next to nothing beside the answer, which is read from memory.
    access: Access.anyone,
    success: PushPublicKey,
    errors: [PushNotConfigured],
    summary: "The key to subscribe to web push with",
    description:
      "The server's VAPID public key, for `pushManager.subscribe({ userVisibleOnly: true, applicationServerKey })`. `PushNotConfigured` when this server sends no push."
  },
  (rest) => HttpApiEndpoint.get("publicKey", "/push/public-key", rest.options).middleware(rest.middleware)
)

export const RegisterPushSubscription = Operation.make(
  {
    rpc: "RegisterPushSubscription",
    access: Access.signedIn,
    body: Operation.body(RegisterPushSubscriptionPayload),
    success: PushSubscription,
    status: 201,
    errors: [PushNotConfigured, PushEndpointRefused],
    summary: "Receive notifications on this device",
    description:
      "Registering an endpoint again updates its keys (send it whenever the browser renews the subscription); an endpoint another account registered moves to you. Each account keeps its 20 most recently registered devices."
  },
  (rest) => HttpApiEndpoint.post("register", "/me/push-subscriptions", rest.options).middleware(rest.middleware)
)

export const ListPushSubscriptions = Operation.make(
  {
    rpc: "ListPushSubscriptions",
    access: Access.signedIn,
    success: Schema.Array(PushSubscription).check(Schema.isMaxLength(20)),
    errors: [],
    summary: "Your devices that receive push",
    description: "Most recently added first; at most 20."
  },
  (rest) => HttpApiEndpoint.get("list", "/me/push-subscriptions", rest.options).middleware(rest.middleware)
)

export const DeletePushSubscription = Operation.make(
  {
    rpc: "DeletePushSubscription",
    access: Access.signedIn,
    params: { id: PushSubscriptionId },
    errors: [PushSubscriptionNotFound],
    summary: "Stop pushing to a device",
    description:
      "Call it when the browser unsubscribes. Another person's subscription answers 404, as one that does not exist."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/me/push-subscriptions/:id", rest.options).middleware(rest.middleware)
)

export const PushOperations = [
  GetPushPublicKey,
  RegisterPushSubscription,
  ListPushSubscriptions,
  DeletePushSubscription
] as const

export class PushApi extends Operation.httpGroup("push", PushOperations).annotateMerge(
  OpenApi.annotations({
    title: "Push",
    description: "Web push: the devices your notifications are pushed to"
  })
) {}

export class PushRpcs extends Operation.rpcGroup(PushOperations) {}

export const PushFeature = Feature.make({
  name: "push",
  rest: [PushApi],
  rpcs: PushRpcs,
  operations: PushOperations,
  restOnly: [],
  rpcOnly: []
})
