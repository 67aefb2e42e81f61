import { type UserId, UserId as UserIdSchema } from "@moim/domain/Accounts/User"
import type { PostEntity } from "@moim/domain/Posts/Post"
import { Effect, Option, Schema } from "effect"
import type { Profiles } from "../Accounts/Profiles.ts"

const pattern =
  /<@([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})>|(?<![\p{L}\p{N}_#])#([\p{L}\p{N}_]{1,50})|\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]}'"]/gu

/** What a post's text mentions, tags and links, with its UTF-16 ranges; mentions of users in `known` only. */
export const parseEntities = (
  text: string,
  known: (userId: string) => UserId | undefined
): ReadonlyArray<PostEntity> => {
  const entities: Array<PostEntity> = []
  for (const match of text.matchAll(pattern)) {
    const start = match.index
    const end = start + match[0].length
    const [whole, mentioned, tag] = match
    if (mentioned !== undefined) {
      const userId = known(mentioned.toLowerCase())
      if (userId !== undefined) entities.push({ type: "mention", start, end, userId })
    } else if (tag !== undefined) entities.push({ type: "hashtag", start, end, tag: tag.toLowerCase() })
    else entities.push({ type: "link", start, end, url: whole })
  }
  return entities
}

/** The user ids `<@...>` tokens name, lower-cased, without repeats. */
export const mentionedIds = (text: string): ReadonlyArray<string> => [
  ...new Set([...text.matchAll(pattern)].flatMap((match) => (match[1] === undefined ? [] : [match[1].toLowerCase()])))
]

const decodeUserId = Schema.decodeUnknownOption(UserIdSchema)

/**
 * The entities of texts about to be stored, mentioning only users who exist: looks up everyone the
 * texts mention at once, then parses each text.
 */
export const resolveEntities = (profiles: Profiles["Service"]) =>
  Effect.fn("PostEntities.resolve")(function* (texts: ReadonlyArray<string>) {
    const ids = texts.flatMap(mentionedIds).flatMap((id) => Option.toArray(decodeUserId(id)))
    const found = ids.length === 0 ? new Map<UserId, unknown>() : yield* profiles.getMany(ids)
    const existing = new Map([...found.keys()].map((id) => [id.toLowerCase(), id] as const))
    return (text: string) => parseEntities(text, (id) => existing.get(id))
  })
