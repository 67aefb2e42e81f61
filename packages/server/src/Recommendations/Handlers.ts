import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  DismissSuggestedEvent,
  DismissSuggestedGroup,
  DismissSuggestedPerson,
  GetMyInterests,
  ListSuggestedEvents,
  ListSuggestedGroups,
  ListSuggestedPeople,
  RecommendationsRpcs,
  UpdateMyInterests
} from "@moim/domain/Recommendations/RecommendationsApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { Recommendations } from "./Recommendations.ts"

/** One handler per recommendations operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const recommendations = yield* Recommendations
  return RecommendationsRpcs.of({
    GetMyInterests: () => CurrentUser.use((user) => recommendations.interests(user)),
    UpdateMyInterests: (input) => CurrentUser.use((user) => recommendations.updateInterests(user, input)),
    ListSuggestedGroups: (query) => CurrentUser.use((user) => recommendations.groups(user, query)),
    ListSuggestedEvents: (query) => CurrentUser.use((user) => recommendations.events(user, query)),
    ListSuggestedPeople: (query) => CurrentUser.use((user) => recommendations.people(user, query)),
    DismissSuggestedGroup: ({ id }) => CurrentUser.use((user) => recommendations.dismissGroup(user, id)),
    DismissSuggestedEvent: ({ id }) => CurrentUser.use((user) => recommendations.dismissEvent(user, id)),
    DismissSuggestedPerson: ({ id }) => CurrentUser.use((user) => recommendations.dismissPerson(user, id))
  })
})

export const RecommendationsRpc = RecommendationsRpcs.toLayer(handlers)

const InterestsHttp = HttpApiBuilder.group(Api, "interests", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(GetMyInterests, handler.GetMyInterests),
      ...Operations.rest(UpdateMyInterests, handler.UpdateMyInterests)
    })
  )
)

const SuggestionsHttp = HttpApiBuilder.group(Api, "suggestions", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(ListSuggestedGroups, handler.ListSuggestedGroups),
      ...Operations.rest(ListSuggestedEvents, handler.ListSuggestedEvents),
      ...Operations.rest(ListSuggestedPeople, handler.ListSuggestedPeople),
      ...Operations.rest(DismissSuggestedGroup, handler.DismissSuggestedGroup),
      ...Operations.rest(DismissSuggestedEvent, handler.DismissSuggestedEvent),
      ...Operations.rest(DismissSuggestedPerson, handler.DismissSuggestedPerson)
    })
  )
)

/** The interests and suggestions REST groups with the middleware their endpoints use. */
export const RecommendationsHttpLive = Layer.mergeAll(InterestsHttp, SuggestionsHttp).pipe(
  Layer.provide(AuthenticationLive)
)
