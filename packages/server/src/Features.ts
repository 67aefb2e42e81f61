import { Layer } from "effect"
import { AccountsFeature } from "./Accounts/Feature.ts"
import { GroupsFeature } from "./Groups/Feature.ts"
import { OpsFeature } from "./Ops/Feature.ts"
import { SystemFeature } from "./System/Feature.ts"

/**
 * Every feature the server serves, once: its REST group implementations, its RPC handlers and its
 * plain routes (redirects, metrics). Adding a feature adds one line here. (How features' services
 * depend on each other is wired in `Platform.ts`, `FeatureServices`.)
 */
const features = [SystemFeature, AccountsFeature, GroupsFeature, OpsFeature] as const

type Feature = (typeof features)[number]

const merge = <K extends keyof Feature>(key: K) => {
  const [first, ...rest] = features.map((feature): Feature[K] => feature[key])
  if (first === undefined) throw new Error("No features")
  return Layer.mergeAll(first, ...rest)
}

export const FeatureHttp = merge("http")
export const FeatureRpc = merge("rpc")
export const FeatureRoutes = merge("routes")
