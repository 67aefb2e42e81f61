import { Schema } from "effect"
import { HttpApiEndpoint } from "effect/http-api"
import { UserId } from "../Accounts/User.ts"
import { instantInput } from "../Events/Event.ts"
import { GroupId } from "../Groups/Group.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, Page, PageQuery } from "../Kit/Page.ts"
import { SearchText } from "../Kit/Text.ts"
import { ChannelId, ChannelNotFound, ChatMessage } from "./Chat.ts"

export const HighlightFragment = Schema.Struct({
  text: Schema.String,
  match: Schema.Boolean.annotate({ description: "Whether this piece matched the search" })
}).annotate({
  identifier: "HighlightFragment",
  description: "A piece of a message's text, as it was written (never markup)"
})
export type HighlightFragment = typeof HighlightFragment.Type

export class MessageSearchHit extends Schema.Class<MessageSearchHit>("MessageSearchHit")(
  // Described on the struct too: no operation returns it alone (search answers pages of them), so
  // its component would otherwise have no description.
  Schema.Struct({
    message: ChatMessage,
    highlight: Schema.Array(HighlightFragment).annotate({
      description:
        "The message's whole text in pieces, the matching words marked: joined, the pieces are `message.body`"
    })
  }).annotate({ description: "A message that matched a search, with the matches marked" }),
  { description: "A message that matched a search, with the matches marked" }
) {}

export const MessageSearchPage = Page(MessageSearchHit, "MessageSearchPage")

export const SearchMessages = Operation.make(
  {
    rpc: "SearchMessages",
    access: Access.signedIn,
    query: {
      q: SearchText.annotate({ description: "Words to find (each the start of a word in the message), best first" }),
      channelId: Schema.optional(ChannelId).annotate({ description: "Only this channel or conversation" }),
      groupId: Schema.optional(GroupId).annotate({ description: "Only this group's channels" }),
      authorId: Schema.optional(UserId).annotate({ description: "Only messages by this person" }),
      from: Schema.optional(instantInput("Only messages sent at or after this instant")),
      to: Schema.optional(instantInput("Only messages sent before this instant")),
      hasFile: Schema.optional(Schema.Literals(["true", "false"])).annotate({
        description: "`true`: only messages with attachments; `false`: only messages without"
      }),
      ...PageQuery
    },
    success: MessageSearchPage,
    errors: [ChannelNotFound, InvalidCursor],
    summary: "Search messages",
    description:
      "Full-text search over the messages and thread replies you may read now: of the channels and conversations you are in, and the public channels of your groups. Best matches first, then newest."
  },
  (rest) => HttpApiEndpoint.get("searchMessages", "/me/chat/search", rest.options).middleware(rest.middleware)
)

export const ChatSearchOperations = [SearchMessages] as const
