import type { UserId } from "@moim/domain/Accounts/User"
import type { MessageEntity } from "@moim/domain/Chat/Chat"

const pattern =
  /<@([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})>|(?<![\p{L}\p{N}_@.<])@([\p{L}\p{N}_.-]*[\p{L}\p{N}_])|\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]}'"]/gu

/** The words that mention everyone in the channel. */
const channelWords = new Set(["channel", "everyone"])

/** What a message's text names: user ids (`<@id>`) and handles (`@annalee`), lower-cased, without repeats. */
export const mentionedNames = (text: string) => {
  const ids = new Set<string>()
  const handles = new Set<string>()
  for (const match of text.matchAll(pattern)) {
    if (match[1] !== undefined) ids.add(match[1].toLowerCase())
    else if (match[2] !== undefined && !channelWords.has(match[2].toLowerCase())) handles.add(match[2].toLowerCase())
  }
  return { ids: [...ids], handles: [...handles] }
}

/**
 * The entities of a message: mentions of the people `resolve` finds in the channel (by id, or by a
 * handle only one of them has), `@channel` (or `@everyone`), and links; with what it mentions.
 */
export const parseMessage = (
  text: string,
  resolve: {
    readonly byId: (id: string) => UserId | undefined
    readonly byHandle: (handle: string) => UserId | undefined
  }
): {
  readonly entities: ReadonlyArray<MessageEntity>
  readonly mentionedIds: ReadonlyArray<UserId>
  readonly mentionsChannel: boolean
} => {
  const entities: Array<MessageEntity> = []
  const mentioned = new Set<UserId>()
  let mentionsChannel = false
  for (const match of text.matchAll(pattern)) {
    const start = match.index
    const end = start + match[0].length
    const [whole, id, handle] = match
    if (id !== undefined || handle !== undefined) {
      if (handle !== undefined && channelWords.has(handle.toLowerCase())) {
        mentionsChannel = true
        entities.push({ type: "channelMention", start, end })
        continue
      }
      const userId = id !== undefined ? resolve.byId(id.toLowerCase()) : resolve.byHandle((handle ?? "").toLowerCase())
      if (userId !== undefined) {
        mentioned.add(userId)
        entities.push({ type: "mention", start, end, userId })
      }
    } else entities.push({ type: "link", start, end, url: whole })
  }
  return { entities, mentionedIds: [...mentioned], mentionsChannel }
}
