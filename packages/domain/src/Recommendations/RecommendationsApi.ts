import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { UserId, UserNotFound } from "../Accounts/User.ts"
import { EventId, EventNotFound } from "../Events/Event.ts"
import { GroupId, GroupNotFound } from "../Groups/Group.ts"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import { SelfRelation } from "../Social/Social.ts"
import {
  EventSuggestionPage,
  GroupSuggestionPage,
  MyInterests,
  PersonSuggestionPage,
  UpdateInterestsPayload
} from "./Recommendation.ts"

export const GetMyInterests = Operation.make(
  {
    rpc: "GetMyInterests",
    access: Access.signedIn,
    success: MyInterests,
    errors: [],
    summary: "Your interests",
    description:
      "The interests you picked (the same list as your profile's `interests`), those read from what you do, the group categories to pick from, and your place."
  },
  (rest) => HttpApiEndpoint.get("getInterests", "/me/interests", rest.options).middleware(rest.middleware)
)

export const UpdateMyInterests = Operation.make(
  {
    rpc: "UpdateMyInterests",
    access: Access.signedIn,
    body: Operation.body(UpdateInterestsPayload),
    success: MyInterests,
    errors: [],
    summary: "Pick your interests",
    description:
      "Replaces the interests you picked (lower-cased, duplicates dropped) and, when given, your place. Your suggestions are refreshed by the next job run."
  },
  (rest) => HttpApiEndpoint.put("updateInterests", "/me/interests", rest.options).middleware(rest.middleware)
)

export const ListSuggestedGroups = Operation.make(
  {
    rpc: "ListSuggestedGroups",
    access: Access.signedIn,
    query: PageQuery,
    success: GroupSuggestionPage,
    errors: [InvalidCursor],
    summary: "Groups you might join",
    description:
      "Public groups you are not in, have not left, are not banned from and did not dismiss, best first, each with its reasons. Computed ahead (nightly, and after you join, follow or answer an event); a page may hold fewer than `limit` when a group changed since."
  },
  (rest) => HttpApiEndpoint.get("groups", "/me/suggestions/groups", rest.options).middleware(rest.middleware)
)

export const ListSuggestedEvents = Operation.make(
  {
    rpc: "ListSuggestedEvents",
    access: Access.signedIn,
    query: PageQuery,
    success: EventSuggestionPage,
    errors: [InvalidCursor],
    summary: "Events you might go to",
    description:
      "Upcoming events of public groups that you have not answered and did not dismiss, best first, each with its reasons."
  },
  (rest) => HttpApiEndpoint.get("events", "/me/suggestions/events", rest.options).middleware(rest.middleware)
)

export const ListSuggestedPeople = Operation.make(
  {
    rpc: "ListSuggestedPeople",
    access: Access.signedIn,
    query: PageQuery,
    success: PersonSuggestionPage,
    errors: [InvalidCursor],
    summary: "People you may know",
    description:
      "People you neither follow nor are friends with (nor asked), neither blocking nor blocked by you, that you did not dismiss, best first, each with its reasons."
  },
  (rest) => HttpApiEndpoint.get("people", "/me/suggestions/people", rest.options).middleware(rest.middleware)
)

export const DismissSuggestedGroup = Operation.make(
  {
    rpc: "DismissSuggestedGroup",
    access: Access.signedIn,
    params: { id: GroupId },
    errors: [GroupNotFound],
    summary: "Stop suggesting a group",
    description: "It is never suggested to you again, rebuilds included. Dismissing twice changes nothing."
  },
  (rest) =>
    HttpApiEndpoint.delete("dismissGroup", "/me/suggestions/groups/:id", rest.options).middleware(rest.middleware)
)

export const DismissSuggestedEvent = Operation.make(
  {
    rpc: "DismissSuggestedEvent",
    access: Access.signedIn,
    params: { id: EventId },
    errors: [EventNotFound],
    summary: "Stop suggesting an event",
    description: "It is never suggested to you again, rebuilds included. Dismissing twice changes nothing."
  },
  (rest) =>
    HttpApiEndpoint.delete("dismissEvent", "/me/suggestions/events/:id", rest.options).middleware(rest.middleware)
)

export const DismissSuggestedPerson = Operation.make(
  {
    rpc: "DismissSuggestedPerson",
    access: Access.signedIn,
    params: { id: UserId },
    errors: [UserNotFound, SelfRelation],
    summary: "Stop suggesting someone",
    description: "They are never suggested to you again, rebuilds included. Dismissing twice changes nothing."
  },
  (rest) =>
    HttpApiEndpoint.delete("dismissPerson", "/me/suggestions/people/:id", rest.options).middleware(rest.middleware)
)

const InterestsOperations = [GetMyInterests, UpdateMyInterests] as const

const SuggestionsOperations = [
  ListSuggestedGroups,
  ListSuggestedEvents,
  ListSuggestedPeople,
  DismissSuggestedGroup,
  DismissSuggestedEvent,
  DismissSuggestedPerson
] as const

export const RecommendationsOperations = [...InterestsOperations, ...SuggestionsOperations] as const

export class InterestsApi extends Operation.httpGroup("interests", InterestsOperations).annotateMerge(
  OpenApi.annotations({ title: "Interests", description: "What you are into, picked and inferred, and your place" })
) {}

export class SuggestionsApi extends Operation.httpGroup("suggestions", SuggestionsOperations).annotateMerge(
  OpenApi.annotations({
    title: "Suggestions",
    description: "Groups, events and people suggested to you, each with its reasons"
  })
) {}

export const RecommendationsRpcs = Operation.rpcGroup(RecommendationsOperations)

export const RecommendationsFeature = Feature.make({
  name: "recommendations",
  rest: [InterestsApi, SuggestionsApi],
  rpcs: RecommendationsRpcs,
  operations: RecommendationsOperations,
  restOnly: [],
  rpcOnly: []
})
