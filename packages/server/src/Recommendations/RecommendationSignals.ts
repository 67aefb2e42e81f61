import type { UserId } from "@moim/domain/Accounts/User"
import { RefreshRecommendations } from "@moim/domain/Recommendations/RecommendationJobs"
import { Effect, Layer } from "effect"
import { AccountErasure } from "../Accounts/AccountErasure.ts"
import { RsvpChanges } from "../Events/RsvpChanges.ts"
import { MembershipChanges } from "../Groups/MembershipChanges.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { GraphChanges } from "../Social/GraphChanges.ts"
import { SuggestionsRepo } from "./SuggestionsRepo.ts"

const refresh = Effect.gen(function* () {
  const jobs = yield* JobQueue
  return (userId: UserId) =>
    jobs
      .enqueue(RefreshRecommendations, { userId })
      .pipe(Effect.asVoid, Effect.withSpan("RecommendationSignals.refresh"))
})

/**
 * Recommendations' answer to groups' `MembershipChanges`, after whoever answered it before (chat),
 * in the transaction of the change: a member who joins gets a refresh of their suggestions; one who
 * goes (left, removed, banned) never has the group suggested again, and a refresh.
 */
export const RecommendationMembershipChanges = Layer.effect(
  MembershipChanges,
  Effect.gen(function* () {
    const before = yield* MembershipChanges
    const repo = yield* SuggestionsRepo
    const queue = yield* refresh
    return {
      joined: (groupId, userId) => Effect.andThen(before.joined(groupId, userId), queue(userId)),
      left: (groupId, userId) =>
        before
          .left(groupId, userId)
          .pipe(Effect.andThen(repo.dismiss(userId, "group", groupId, "left")), Effect.andThen(queue(userId)))
    }
  })
)

/** Recommendations' answer to social's `GraphChanges`: a refresh of the person's suggestions. */
export const RecommendationGraphChanges = Layer.effect(
  GraphChanges,
  Effect.map(refresh, (queue) => ({ connected: queue }))
)

/** Recommendations' answer to events' `RsvpChanges`: a refresh of the person's suggestions. */
export const RecommendationRsvpChanges = Layer.effect(
  RsvpChanges,
  Effect.map(refresh, (queue) => ({ answered: (_eventId, userId) => queue(userId) }))
)

/** Recommendations' answer to accounts' `AccountErasure`, after whoever answered it before (analytics). */
export const RecommendationAccountErasure = Layer.effect(
  AccountErasure,
  Effect.gen(function* () {
    const before = yield* AccountErasure
    const repo = yield* SuggestionsRepo
    return { erased: (userId) => Effect.andThen(before.erased(userId), repo.forget(userId)) }
  })
)
