import { Schema } from "effect"
import { UserId } from "../Accounts/User.ts"
import { Text } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"
import { MediaId } from "../Media/Media.ts"

/** Distinct emoji one message may carry: past them, `TooManyReactions`. */
export const maxReactionEmoji = 50
/** People a reaction names on the message (its `count` counts them all). */
export const reactionUsersShown = 10
/** Pinned messages in one channel: past them, `ChannelPinLimitReached`. */
export const maxPinsPerChannel = 100
/** Photos and files on one message. */
export const maxMessageAttachments = 10

/**
 * A reaction: a Unicode emoji (one or a few emoji characters, with their modifiers and joiners, at
 * least one of them outside ASCII), or a `:shortcode:` of lower-case letters, digits, `_`, `+`, `-`
 * (a custom emoji a client knows by name). 1 to 32 characters, stored as sent.
 */
export const ReactionEmoji = Text({
  minLength: 1,
  maxLength: 32,
  annotations: {
    description:
      "A Unicode emoji (e.g. `👍`, `👍🏽`, `🇰🇷`), or a `:shortcode:` of lower-case letters, digits, `_`, `+`, `-` (e.g. `:party_parrot:`); 1 to 32 characters",
    examples: ["👍", "🎉", ":party_parrot:"]
  }
}).check(
  Schema.isPattern(
    /^(?::[a-z0-9_+-]{1,30}:|[\p{Emoji}\p{Emoji_Component}]*(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3)[\p{Emoji}\p{Emoji_Component}]*)$/u,
    { expected: "an emoji or a :shortcode:" }
  )
)

export const MessageReaction = Schema.Struct({
  emoji: Schema.String,
  count: Schema.Int.annotate({ description: "How many people reacted with it" }),
  userIds: Schema.Array(UserId).annotate({
    description: `The first ${reactionUsersShown} who reacted with it, earliest first: a client shows the emoji as yours when your id is among them (past the first ${reactionUsersShown}, a client keeps what its user did)`
  })
}).annotate({
  identifier: "MessageReaction",
  description: "One emoji's reactions to a message; the same for everyone, so it travels whole on the stream"
})
export type MessageReaction = typeof MessageReaction.Type

export const MessagePin = Schema.Struct({
  by: Schema.NullOr(UserId).annotate({ description: "Who pinned it; null once their account is gone" }),
  at: Timestamp
}).annotate({ identifier: "MessagePin", description: "Who pinned a message, and when" })
export type MessagePin = typeof MessagePin.Type

export const MessageAttachmentIds = Schema.Array(MediaId)
  .check(Schema.isMaxLength(maxMessageAttachments))
  .annotate({
    description: `Finished photo or file uploads of yours (\`POST /media\`), in order; up to ${maxMessageAttachments} in all`
  })

export class TooManyReactions extends Schema.TaggedError<TooManyReactions>()(
  "TooManyReactions",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "TooManyReactions",
    description: `A message carries at most ${maxReactionEmoji} different emoji: react with one it has`
  }
) {}

export class ChannelPinLimitReached extends Schema.TaggedError<ChannelPinLimitReached>()(
  "ChannelPinLimitReached",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "ChannelPinLimitReached",
    description: `A channel has at most ${maxPinsPerChannel} pinned messages: unpin one first`
  }
) {}
