import { Schema } from "effect"
import { Email } from "../Accounts/AccountFields.ts"
import { CountryCode, PhoneNumberText } from "../Accounts/Phone.ts"
import { PublicProfile } from "../Accounts/User.ts"
import { Page } from "../Kit/Page.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { Relationship } from "./Profile.ts"

export const FollowStatus = Schema.Literals(["following", "requested"]).annotate({
  identifier: "FollowStatus",
  description: "`following`: done; `requested`: their account is private, they decide"
})

export const FollowResult = Schema.Struct({ status: FollowStatus }).annotate({
  identifier: "FollowResult",
  description: "Whether you follow them now or wait for their approval"
})

export const FriendshipStatus = Schema.Literals(["requested", "friends"]).annotate({
  identifier: "FriendshipStatus",
  description: "`requested`: they decide; `friends`: they had asked you already, so you are friends now"
})

export const FriendshipResult = Schema.Struct({ status: FriendshipStatus }).annotate({
  identifier: "FriendshipResult",
  description: "Whether you are friends now or wait for their answer"
})

/** Someone in a list of people (followers, friends, requests, blocks), with when the relation began. */
export const Connection = Schema.Struct({
  user: PublicProfile,
  since: Timestamp.annotate({ description: "When they followed, became friends, asked, or were blocked" })
}).annotate({ identifier: "Connection", description: "A person and since when you are connected" })

export const ConnectionPage = Page(Connection, "ConnectionPage")

/** Who may see something of yours. */
export const Visibility = Schema.Literals(["everyone", "followers", "friends", "only_me"]).annotate({
  identifier: "Visibility",
  description: "`everyone`; `followers`: people who follow you (and your friends); `friends`: your friends; `only_me`"
})
export type Visibility = typeof Visibility.Type

export const FriendRequestPolicy = Schema.Literals(["everyone", "friends_of_friends", "nobody"]).annotate({
  identifier: "FriendRequestPolicy",
  description: "Who may ask you to be friends"
})
export type FriendRequestPolicy = typeof FriendRequestPolicy.Type

export const DefaultPostAudience = Schema.Literals(["public", "followers", "friends"]).annotate({
  identifier: "DefaultPostAudience",
  description: "The audience of a profile post that names none"
})

export class Settings extends Schema.Class<Settings>("Settings")(
  {
    privateAccount: Schema.Boolean.annotate({
      description: "Follows become requests you approve; your followers-only posts stay with approved followers"
    }),
    profileDetails: Visibility.annotate({ description: "Who sees your bio and interests" }),
    defaultPostAudience: DefaultPostAudience,
    friendsList: Visibility.annotate({ description: "Who sees your list of friends (and mutual friends with you)" }),
    lastActive: Visibility.annotate({ description: "Who sees when you were last active" }),
    friendRequests: FriendRequestPolicy,
    findableByPhone: Schema.Boolean.annotate({
      description: "People who have your verified phone number in their contacts find you"
    }),
    findableByEmail: Schema.Boolean.annotate({
      description: "People who have your verified email address in their contacts find you"
    })
  },
  { description: "Your privacy settings" }
) {}

export const UpdateSettingsPayload = Schema.Struct({
  privateAccount: Schema.optional(Schema.Boolean),
  profileDetails: Schema.optional(Visibility),
  defaultPostAudience: Schema.optional(DefaultPostAudience),
  friendsList: Schema.optional(Visibility),
  lastActive: Schema.optional(Visibility),
  friendRequests: Schema.optional(FriendRequestPolicy),
  findableByPhone: Schema.optional(Schema.Boolean),
  findableByEmail: Schema.optional(Schema.Boolean)
}).annotate({ identifier: "UpdateSettingsPayload", description: "Only the fields present change" })

export class SelfRelation extends Schema.TaggedError<SelfRelation>()(
  "SelfRelation",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "SelfRelation",
    description: "You cannot follow, befriend or block yourself"
  }
) {}

export class FollowRequestNotFound extends Schema.TaggedError<FollowRequestNotFound>()(
  "FollowRequestNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "FollowRequestNotFound", description: "No pending follow request from them" }
) {}

export class FriendRequestNotFound extends Schema.TaggedError<FriendRequestNotFound>()(
  "FriendRequestNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "FriendRequestNotFound", description: "No pending friend request between you" }
) {}

export class FriendRequestsClosed extends Schema.TaggedError<FriendRequestsClosed>()(
  "FriendRequestsClosed",
  { message: Schema.String },
  {
    httpApiStatus: 403,
    identifier: "FriendRequestsClosed",
    description: "Their settings do not let you ask them to be friends"
  }
) {}

export class FollowLimitReached extends Schema.TaggedError<FollowLimitReached>()(
  "FollowLimitReached",
  { message: Schema.String, limit: Schema.Int },
  { httpApiStatus: 409, identifier: "FollowLimitReached", description: "You follow as many people as one may" }
) {}

/** How many accounts one may follow (it bounds the work of a home feed page). */
export const followingLimit = 5000

/** How many numbers one upload carries, and how many one account keeps. */
export const contactsBatchLimit = 5000
export const contactsLimit = 50_000

export const UploadContactsPayload = Schema.Struct({
  phoneNumbers: Schema.optional(
    Schema.Array(PhoneNumberText)
      .check(Schema.isMaxLength(contactsBatchLimit))
      .annotate({ description: `Your contacts' numbers, up to ${contactsBatchLimit} per upload; send more in batches` })
  ),
  country: Schema.optional(
    CountryCode.annotate({ description: "Your country, for the numbers saved in national format" })
  ),
  emails: Schema.optional(
    Schema.Array(Email)
      .check(Schema.isMaxLength(contactsBatchLimit))
      .annotate({
        description: `Your contacts' email addresses, up to ${contactsBatchLimit} per upload; matched, never kept`
      })
  )
}).annotate({ identifier: "UploadContactsPayload", description: "A batch of your contacts' numbers and addresses" })

/** One of your contacts who is on Moim and may be found by phone or email. */
export const ContactMatch = Schema.Struct({
  contact: Schema.String.annotate({
    description: "The number or email as you sent it, to find the contact in your book"
  }),
  by: Schema.Literals(["phone", "email"]).annotate({ description: "What matched" }),
  user: PublicProfile,
  relationship: Relationship
}).annotate({ identifier: "ContactMatch", description: "A contact of yours who is on Moim" })

export class ContactsUploaded extends Schema.Class<ContactsUploaded>("ContactsUploaded")(
  Schema.Struct({
    received: Schema.Int.annotate({ description: "Numbers and addresses in the upload" }),
    invalid: Schema.Int.annotate({ description: "Numbers that are not phone numbers (skipped)" }),
    stored: Schema.Int.annotate({ description: "Numbers you have uploaded in all, kept as keyed hashes" }),
    matches: Schema.Array(ContactMatch).annotate({
      description: "Those of this upload who are on Moim and let themselves be found by phone or by email"
    })
  }).annotate({ description: "What became of an upload of contacts" }),
  { description: "What became of an upload of contacts" }
) {}

export class TooManyContacts extends Schema.TaggedError<TooManyContacts>()(
  "TooManyContacts",
  { message: Schema.String, limit: Schema.Int },
  {
    httpApiStatus: 409,
    identifier: "TooManyContacts",
    description: `An account keeps at most ${contactsLimit} contacts; delete them and upload again`
  }
) {}
