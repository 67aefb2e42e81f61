import { Effect, Layer } from "effect"
import { Blocks } from "../Access/Blocks.ts"
import { AudienceGraph } from "../Posts/AudienceGraph.ts"
import { BlocksRepo } from "./BlocksRepo.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { SettingsRepo } from "./SettingsRepo.ts"

/** Posts' audiences, answered by the graph: follows, friendships and blocks in one query per page. */
const AudienceGraphLive = Layer.effect(
  AudienceGraph,
  Effect.gen(function* () {
    const graph = yield* GraphRepo
    const settings = yield* SettingsRepo
    return AudienceGraph.of({
      relations: (viewer, authors) => graph.relations(viewer, authors),
      defaultAudience: (author) => Effect.map(settings.get(author), (found) => found.defaultPostAudience)
    })
  })
)

/** The block check every feature asks. */
const BlocksLive = Layer.effect(
  Blocks,
  Effect.gen(function* () {
    const blocks = yield* BlocksRepo
    return Blocks.of({
      hiddenAmong: (userId, others) => blocks.hiddenAmong(userId, others),
      between: (a, b) => Effect.map(blocks.hiddenAmong(a, [b]), (hidden) => hidden.has(b))
    })
  })
)

/**
 * The graph's answers to the ports other features declare (`AudienceGraph`, `Blocks`), on the
 * social tables alone, so that every feature can use them, those the social feature itself uses
 * included (accounts, groups, posts, notifications).
 */
export const SocialGraphLive = Layer.mergeAll(AudienceGraphLive, BlocksLive).pipe(
  Layer.provide(Layer.mergeAll(GraphRepo.layer, BlocksRepo.layer, SettingsRepo.layer))
)
