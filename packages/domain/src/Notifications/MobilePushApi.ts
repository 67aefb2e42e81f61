import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import {
  MobileDevice,
  MobileDeviceId,
  MobileDeviceNotFound,
  MobilePushNotConfigured,
  RegisterMobileDevicePayload
} from "./MobileDevice.ts"

export const RegisterMobileDevice = Operation.make(
  {
    rpc: "RegisterMobileDevice",
    access: Access.signedIn,
    body: Operation.body(RegisterMobileDevicePayload),
    success: MobileDevice,
    status: 201,
    errors: [MobilePushNotConfigured],
    summary: "Receive notifications on this phone",
    description:
      "Send the token whenever the app starts or its platform renews it: a token registered again keeps its id (and name), and one another account registered moves to you. Each account keeps its 20 most recently registered phones. `MobilePushNotConfigured` when this server does not push to the platform."
  },
  (rest) => HttpApiEndpoint.post("register", "/me/mobile-devices", rest.options).middleware(rest.middleware)
)

export const ListMobileDevices = Operation.make(
  {
    rpc: "ListMobileDevices",
    access: Access.signedIn,
    success: Schema.Array(MobileDevice).check(Schema.isMaxLength(20)),
    errors: [],
    summary: "Your phones that receive push",
    description: "Most recently added first; at most 20."
  },
  (rest) => HttpApiEndpoint.get("list", "/me/mobile-devices", rest.options).middleware(rest.middleware)
)

export const DeleteMobileDevice = Operation.make(
  {
    rpc: "DeleteMobileDevice",
    access: Access.signedIn,
    params: { id: MobileDeviceId },
    errors: [MobileDeviceNotFound],
    summary: "Stop pushing to a phone",
    description:
      "Call it when the user signs out of the app. Another person's device answers 404, as one that does not exist."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/me/mobile-devices/:id", rest.options).middleware(rest.middleware)
)

export const MobilePushOperations = [RegisterMobileDevice, ListMobileDevices, DeleteMobileDevice] as const

export class MobilePushApi extends Operation.httpGroup("mobilePush", MobilePushOperations).annotateMerge(
  OpenApi.annotations({
    title: "Mobile push",
    description: "Phones whose apps receive your notifications through FCM or APNs"
  })
) {}

export class MobilePushRpcs extends Operation.rpcGroup(MobilePushOperations) {}

export const MobilePushFeature = Feature.make({
  name: "mobilePush",
  rest: [MobilePushApi],
  rpcs: MobilePushRpcs,
  operations: MobilePushOperations,
  restOnly: [],
  rpcOnly: []
})
