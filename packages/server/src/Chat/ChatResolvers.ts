import { ChannelId } from "@moim/domain/Chat/Chat"
import { Effect, Option, Schema } from "effect"
import type { TopicResolver } from "../Realtime/TopicAccess.ts"
import { ChatAccess } from "./ChatAccess.ts"

const decodeChannelId = Schema.decodeUnknownOption(ChannelId)

/** A channel's topic may be joined by whoever may read the channel. */
export const ChannelTopics = Effect.map(
  ChatAccess,
  (access): TopicResolver => ({
    kind: "channel",
    allowed: (viewer, id) =>
      Option.match(decodeChannelId(id), {
        onNone: () => Effect.succeed(false),
        onSome: (channelId) => Effect.map(access.readable(viewer, [channelId]), (readable) => readable.has(channelId))
      })
  })
)
