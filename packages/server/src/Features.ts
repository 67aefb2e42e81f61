import { Effect, Layer } from "effect"
import { RequestRateLimits } from "./Access/RequestRateLimits.ts"
import { AccountsLive } from "./Accounts/AccountsLive.ts"
import { AccountsFeature } from "./Accounts/Feature.ts"
import { UserSubjects } from "./Accounts/UserSubjects.ts"
import { GroupsFeature } from "./Groups/Feature.ts"
import { GroupSubjects, InvitationSubjects } from "./Groups/GroupSubjects.ts"
import { GroupNotifierLive, GroupsEmailOwnership, GroupsLive } from "./Groups/GroupsLive.ts"
import { DeliveryChannels } from "./Notifications/DeliveryChannels.ts"
import { NotificationsFeature } from "./Notifications/Feature.ts"
import { NotificationSubjects } from "./Notifications/NotificationSubjects.ts"
import { NotificationsLive } from "./Notifications/NotificationsLive.ts"
import { OpsFeature } from "./Ops/Feature.ts"
import { SystemFeature } from "./System/Feature.ts"
import { ServerInfo } from "./System/ServerInfo.ts"

/**
 * The server's feature registry. `features` lists every feature once: its REST group
 * implementations, its RPC handlers and its plain routes (redirects, metrics), each plain route
 * listed in `plainRoutes` with why it is neither an API operation nor has an RPC twin. `FeatureServices`
 * below wires the features' services to each other. Adding a feature adds its line to each.
 */
const features = [SystemFeature, AccountsFeature, GroupsFeature, NotificationsFeature, OpsFeature] as const

type Feature = (typeof features)[number]

/** A route outside the API document and the RPC group, and why. */
export interface PlainRoute {
  readonly route: string
  readonly why: string
}

const merge = <K extends "http" | "rpc" | "routes">(key: K) => {
  const [first, ...rest] = features.map((feature): Feature[K] => feature[key])
  if (first === undefined) throw new Error("No features")
  return Layer.mergeAll(first, ...rest)
}

export const FeatureHttp = merge("http")
export const FeatureRpc = merge("rpc")
export const FeatureRoutes = merge("routes")
export const plainRoutes: ReadonlyArray<PlainRoute> = features.flatMap((feature) => feature.plainRoutes)

/**
 * Every feature's services, wired to each other in dependency order, shared by the server and the
 * worker: groups read profiles from accounts (`Profiles`), accounts hand email-addressed invitations
 * to groups (`EmailOwnership`, implemented by groups), notifications ask each feature whether a
 * subject is still visible (`NotificationSubjects`), and groups tell people of their events through
 * notifications (`GroupNotifier`). A feature's services come after those they use; the compiler
 * refuses an order that leaves a service missing.
 */
export const FeatureServices = GroupNotifierLive.pipe(
  Layer.provideMerge(NotificationsLive),
  Layer.provideMerge(NotificationSubjects.layer(Effect.all([GroupSubjects, InvitationSubjects, UserSubjects]))),
  // The channels beyond in-app, each handed every delivered batch in its transaction.
  Layer.provideMerge(DeliveryChannels.layer(Effect.all([]))),
  Layer.provideMerge(GroupsLive),
  Layer.provideMerge(AccountsLive),
  Layer.provide(GroupsEmailOwnership),
  Layer.provideMerge(RequestRateLimits.layer),
  Layer.merge(ServerInfo.layer)
)
