import { Schema } from "effect"
import { PublicProfile } from "../Accounts/User.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

export const ProfileCounts = Schema.Struct({
  followers: Schema.Int,
  following: Schema.Int,
  friends: Schema.Int,
  posts: Schema.Int.annotate({ description: "Posts on their profile that you may see" })
}).annotate({ identifier: "ProfileCounts", description: "How many followers, follows, friends and posts" })
export type ProfileCounts = typeof ProfileCounts.Type

export const Relationship = Schema.Struct({
  following: Schema.Boolean.annotate({ description: "You follow them" }),
  followRequested: Schema.Boolean.annotate({ description: "You asked to follow them and they have not answered" }),
  followsYou: Schema.Boolean.annotate({ description: "They follow you" }),
  friends: Schema.Boolean,
  friendRequestSent: Schema.Boolean.annotate({ description: "You asked them to be friends, still pending" }),
  friendRequestReceived: Schema.Boolean.annotate({ description: "They asked you to be friends, still pending" }),
  blocking: Schema.Boolean.annotate({ description: "You blocked them" })
}).annotate({ identifier: "Relationship", description: "How you and this person are connected" })
export type Relationship = typeof Relationship.Type

/** A profile as its page shows it: the public profile, counts, and how the viewer relates to it. */
export class UserProfile extends Schema.Class<UserProfile>("UserProfile")(
  {
    ...PublicProfile.fields,
    privateAccount: Schema.Boolean.annotate({ description: "Follows need the owner's approval" }),
    detailsHidden: Schema.Boolean.annotate({
      description: "Their privacy settings hide their bio and interests from you (both come back empty)"
    }),
    lastActiveAt: Schema.NullOr(Timestamp).annotate({
      description: "When they last used Moim, if their privacy settings show it to you"
    }),
    counts: ProfileCounts,
    relationship: Schema.NullOr(Relationship).annotate({ description: "Null when you are signed out or it is you" })
  },
  { description: "A user's profile page: public details, counts and your relationship" }
) {}
