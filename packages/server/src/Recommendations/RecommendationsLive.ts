import { Layer } from "effect"
import { Rebuild } from "./Rebuild.ts"
import { RebuildRepo } from "./RebuildRepo.ts"
import {
  RecommendationAccountErasure,
  RecommendationGraphChanges,
  RecommendationMembershipChanges,
  RecommendationRsvpChanges
} from "./RecommendationSignals.ts"
import { Recommendations } from "./Recommendations.ts"
import { SuggestionsRepo } from "./SuggestionsRepo.ts"

/**
 * The recommendations feature's services: interests and suggestions for the API, on accounts
 * (`Profiles`), groups (`GroupAccess`), events (`Events`) and social (`People`, `Blocks`); and the
 * worker's `Rebuild`.
 */
export const RecommendationsLive = Layer.mergeAll(Recommendations.layer, Rebuild.layer).pipe(
  Layer.provide(Layer.mergeAll(SuggestionsRepo.layer, RebuildRepo.layer))
)

/**
 * Recommendations' answers to the ports of groups (`MembershipChanges`, after chat's), social
 * (`GraphChanges`) and events (`RsvpChanges`): each change queues a refresh of the person's
 * suggestions in its transaction.
 */
export const RecommendationSignalsLive = Layer.mergeAll(
  RecommendationMembershipChanges,
  RecommendationGraphChanges,
  RecommendationRsvpChanges
).pipe(Layer.provide(SuggestionsRepo.layer))

/** Recommendations' answer to accounts' `AccountErasure`: the person's place, interests, dismissals and suggestions go. */
export const RecommendationErasureLive = RecommendationAccountErasure.pipe(Layer.provide(SuggestionsRepo.layer))
