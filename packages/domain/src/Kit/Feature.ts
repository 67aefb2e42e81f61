import type { NonEmptyReadonlyArray } from "effect/Array"
import type { HttpApiGroup } from "effect/http-api"
import { RpcGroup } from "effect/rpc"
import type * as Operation from "./Operation.ts"

/** A surface-specific entry that has no twin on the other surface, and why. */
export interface Unpaired {
  readonly name: string
  readonly why: string
}

/**
 * What a feature adds to the API: its REST groups and its RPC group, both built from its operations
 * (declared once each), plus the few entries that exist on one surface only, each with its reason.
 * `Features.ts` lists every feature once; the REST API and the RPC group are derived from that list.
 */
export interface Feature<Rest extends ReadonlyArray<HttpApiGroup.Constraint>, Rpcs extends RpcGroup.Any> {
  readonly name: string
  readonly rest: Rest
  readonly rpcs: Rpcs
  readonly operations: ReadonlyArray<Operation.Any>
  readonly restOnly: ReadonlyArray<Unpaired>
  readonly rpcOnly: ReadonlyArray<Unpaired>
}

export type Any = Feature<ReadonlyArray<HttpApiGroup.Constraint>, RpcGroup.Any>

export const make = <const Rest extends ReadonlyArray<HttpApiGroup.Constraint>, Rpcs extends RpcGroup.Any>(
  feature: Feature<Rest, Rpcs>
) => feature

/** An empty RPC group, for a feature with REST endpoints only. */
export const noRpcs = RpcGroup.make()

/** Every REST group of these features, in order. */
export const restGroups = <const Features extends ReadonlyArray<Any>>(
  features: Features
): NonEmptyReadonlyArray<Features[number]["rest"][number]> => {
  const [first, ...rest] = features.flatMap((feature): ReadonlyArray<Features[number]["rest"][number]> => feature.rest)
  if (first === undefined) throw new Error("No feature has a REST group")
  return [first, ...rest]
}

/** Every RPC group of these features. */
export const rpcGroups = <const Features extends ReadonlyArray<Any>>(features: Features) =>
  features.map((feature): Features[number]["rpcs"] => feature.rpcs)
