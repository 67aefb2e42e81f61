import { HttpApiEndpoint } from "effect/http-api"
import { Forbidden } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { ChannelArchived, ChannelId, ChannelNotFound, DirectMessageNotAllowed, MessageNotFound } from "./Chat.ts"
import { ChannelPresence, SendTypingPayload, SetPresencePayload } from "./Presence.ts"

export const SendTyping = Operation.make(
  {
    rpc: "SendTyping",
    access: Access.signedIn,
    params: { id: ChannelId },
    body: Operation.optionalBody(SendTypingPayload),
    errors: [ChannelNotFound, MessageNotFound, Forbidden, ChannelArchived, DirectMessageNotAllowed],
    summary: "Say you are typing",
    description:
      "Those who may send in the channel. Everyone streaming the channel's topic gets `chat.typing` (not stored, not replayed); send it again every few seconds while typing, and clients show it for about 5 s after the last. Repeats within 2 s are not passed on."
  },
  (rest) => HttpApiEndpoint.post("sendTyping", "/channels/:id/typing", rest.options).middleware(rest.middleware)
)

export const SetPresence = Operation.make(
  {
    rpc: "SetPresence",
    access: Access.signedIn,
    body: Operation.body(SetPresencePayload),
    errors: [],
    summary: "Say you are away, or back",
    description:
      "While you have a realtime stream open you are `online`; `away` shows you as away until you set `online` or go offline. Those sharing a channel with you get `chat.presence`."
  },
  (rest) => HttpApiEndpoint.put("setPresence", "/me/presence", rest.options).middleware(rest.middleware)
)

export const GetChannelPresence = Operation.make(
  {
    rpc: "GetChannelPresence",
    access: Access.signedIn,
    params: { id: ChannelId },
    success: ChannelPresence,
    errors: [ChannelNotFound],
    summary: "Who of a channel is here",
    description:
      "Whoever may read the channel: the people in it who are online or away, and in a direct conversation everyone else with when they were last seen; never someone you blocked or who blocked you. Keep it current with `chat.presence` on the channel's topic."
  },
  (rest) =>
    HttpApiEndpoint.get("getChannelPresence", "/channels/:id/presence", rest.options).middleware(rest.middleware)
)

/** Typing and presence, spread into `ChatOperations`. */
export const ChatPresenceOperations = [SendTyping, SetPresence, GetChannelPresence] as const
