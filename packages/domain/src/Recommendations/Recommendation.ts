import { Schema } from "effect"
import { PublicProfile } from "../Accounts/User.ts"
import { Event, Latitude, Longitude } from "../Events/Event.ts"
import { Group, GroupCategory } from "../Groups/Group.ts"
import { Page } from "../Kit/Page.ts"
import { TrimmedText } from "../Kit/Text.ts"

/** An interest: a group category (`hiking`) or a free tag, stored lower-case. */
export const InterestName = TrimmedText({
  maxLength: 40,
  lowerCase: true,
  pattern: /^\s*[\p{L}\p{N}][\p{L}\p{N} _-]*$/u,
  annotations: { description: "Letters, digits, spaces, _ or -; up to 40 characters; stored lower-case" }
})

export const InterestNames = Schema.Array(InterestName)
  .check(Schema.isMaxLength(20))
  .annotate({ description: "Up to 20 interests: group categories (`hiking`) or free tags (`board games`)" })

export const Place = Schema.Struct({
  latitude: Latitude,
  longitude: Longitude
}).annotate({ identifier: "Place", description: "Where you are, roughly: suggestions near it come first" })

export const InferredInterest = Schema.Struct({
  interest: Schema.String,
  weight: Schema.Number.annotate({ description: "How strongly what you do points at it (0 to 1)" })
}).annotate({ identifier: "InferredInterest", description: "An interest read from what you do" })

export const MyInterests = Schema.Struct({
  interests: Schema.Array(Schema.String).annotate({ description: "The interests you picked (lower-case)" }),
  categories: Schema.Array(GroupCategory).annotate({ description: "The group categories, to pick from" }),
  inferred: Schema.Array(InferredInterest).annotate({
    description:
      "Interests read from the groups you joined, the events you went to and the posts you reacted to, as of the last rebuild; strongest first"
  }),
  place: Schema.NullOr(Place).annotate({
    description: "Where you said you are; null when unset (then the places of events you went to count)"
  })
}).annotate({ identifier: "MyInterests", description: "Your interests, picked and inferred, and your place" })

export const UpdateInterestsPayload = Schema.Struct({
  interests: InterestNames,
  place: Schema.optional(
    Schema.NullOr(Place).annotate({ description: "Your place; null forgets it; absent leaves it as it is" })
  )
}).annotate({ identifier: "UpdateInterestsPayload", description: "Your interests (all of them) and your place" })

const reason = <K extends string, F extends Schema.Struct.Fields>(
  identifier: string,
  kind: K,
  fields: F,
  description: string
) =>
  Schema.Struct({
    kind: Schema.Literal(kind),
    ...fields,
    text: Schema.String.annotate({ description: "The reason in words, for a person" })
  }).annotate({ identifier, description })

export const InterestReason = reason(
  "InterestReason",
  "interest",
  { interest: Schema.String },
  "Matches one of your interests (picked or inferred)"
)
export const FriendsReason = reason(
  "FriendsReason",
  "friends",
  { count: Schema.Int },
  "`count` of your friends are members (a group), are going (an event), or are friends with them (a person)"
)
export const ContactsReason = reason("ContactsReason", "contacts", {}, "They are in the contacts you uploaded")
export const CoMembershipReason = reason(
  "CoMembershipReason",
  "co_membership",
  { count: Schema.Int },
  "A group: members of your groups also joined it; a person: you share `count` groups"
)
export const PopularNearbyReason = reason(
  "PopularNearbyReason",
  "popular_nearby",
  { distanceKm: Schema.Number },
  "Popular, and within your radius (`distanceKm` from your place)"
)
export const YourGroupReason = reason("YourGroupReason", "your_group", {}, "An event of a group you belong to")

export const Reason = Schema.Union([
  InterestReason,
  FriendsReason,
  ContactsReason,
  CoMembershipReason,
  PopularNearbyReason,
  YourGroupReason
]).annotate({ identifier: "Reason", description: "Why something is suggested: structured, and in words" })
export type Reason = typeof Reason.Type

const reasons = Schema.Array(Reason).annotate({ description: "Why, strongest first; never empty" })
const distanceKm = Schema.NullOr(Schema.Number).annotate({
  description: "How far from your place, in km; null when either has no coordinates"
})

export const GroupSuggestion = Schema.Struct({ group: Group, reasons, distanceKm }).annotate({
  identifier: "GroupSuggestion",
  description: "A public group you might join"
})
export const EventSuggestion = Schema.Struct({ event: Event, reasons, distanceKm }).annotate({
  identifier: "EventSuggestion",
  description: "An upcoming event you might go to"
})
export const PersonSuggestion = Schema.Struct({ user: PublicProfile, reasons }).annotate({
  identifier: "PersonSuggestion",
  description: "Someone you may know"
})

export const GroupSuggestionPage = Page(GroupSuggestion, "GroupSuggestionPage")
export const EventSuggestionPage = Page(EventSuggestion, "EventSuggestionPage")
export const PersonSuggestionPage = Page(PersonSuggestion, "PersonSuggestionPage")
