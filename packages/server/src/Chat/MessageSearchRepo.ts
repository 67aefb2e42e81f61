import type { UserId } from "@moim/domain/Accounts/User"
import { ChannelId } from "@moim/domain/Chat/Chat"
import type { HighlightFragment } from "@moim/domain/Chat/ChatSearchApi"
import type { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Rows } from "../platform/Rows.ts"
import { columns, MessageRow } from "./MessagesRepo.ts"

const FoundRow = Schema.Struct({ ...MessageRow.fields, rank: Schema.Number, headline: Schema.String })

/** A message that matched, its rank, and its text in pieces with the matches marked. */
export type FoundMessage = typeof MessageRow.Type & {
  readonly rank: number
  readonly highlight: ReadonlyArray<HighlightFragment>
}

const decodeFound = Rows.all(FoundRow)
const decodeChannelIds = Rows.all(Schema.Struct({ id: ChannelId }))

// `ts_headline` marks matches with delimiters, and a message's text may hold any character but NUL.
// So the text is escaped first with control characters, which the parser reads as spaces (the words
// and so the matches stay the same): U+0003 escapes itself (U+0003 U+0003) and the two delimiters
// (U+0003 U+0004 for U+0001, U+0003 U+0005 for U+0002); U+0001 and U+0002 then only mark matches.
const start = "\u0001"
const stop = "\u0002"
const escaper = "\u0003"
const unescaped: Record<string, string> = { "\u0003": escaper, "\u0004": start, "\u0005": stop }

/** The text `ts_headline` answered, back as the message's own text in pieces, the matches marked. */
export const fragmentsOf = (headline: string): ReadonlyArray<HighlightFragment> => {
  const fragments: Array<HighlightFragment> = []
  let text = ""
  let match = false
  const flush = () => {
    if (text.length > 0) fragments.push({ text, match })
    text = ""
  }
  for (let index = 0; index < headline.length; index++) {
    const char = headline.charAt(index)
    if (char === escaper) {
      index++
      text += unescaped[headline.charAt(index)] ?? ""
    } else if (char === start || char === stop) {
      flush()
      match = char === start
    } else {
      text += char
    }
  }
  flush()
  return fragments
}

/** Reading `chat_messages` (and which channels a person may search) for message search. */
export class MessageSearchRepo extends Context.Service<
  MessageSearchRepo,
  {
    /** The channels the user is in, and the public channels of `groupIds`; only of `groupId` when given. */
    readonly candidates: (options: {
      readonly userId: UserId
      readonly groupIds: ReadonlyArray<GroupId>
      readonly groupId: GroupId | undefined
    }) => Effect.Effect<ReadonlyArray<ChannelId>>
    /** Messages of the channels matching the prefix terms, best first then newest, after a position. */
    readonly search: (options: {
      readonly tsQuery: string
      readonly channelIds: ReadonlyArray<ChannelId>
      readonly authorId: UserId | undefined
      readonly from: Date | undefined
      readonly to: Date | undefined
      readonly hasFile: boolean | undefined
      readonly after: { readonly score: string; readonly id: string } | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<FoundMessage>>
  }
>()("@moim/server/Chat/MessageSearchRepo") {
  static readonly layer = Layer.effect(
    MessageSearchRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const selected = sql.literal(columns)
      const options = `HighlightAll=true, StartSel="${start}", StopSel="${stop}"`

      return MessageSearchRepo.of({
        candidates: Effect.fn("MessageSearchRepo.candidates")(function* (query) {
          const rows = yield* sql`
            SELECT c.id FROM chat_channels c
            WHERE (EXISTS (SELECT 1 FROM chat_members m WHERE m.channel_id = c.id AND m.user_id = ${query.userId})
                OR (c.kind = 'public' AND c.group_id = ANY(${query.groupIds}::uuid[])))
              AND ${query.groupId === undefined ? sql`true` : sql`c.group_id = ${query.groupId}`}`.pipe(
            Effect.flatMap(decodeChannelIds)
          )
          return rows.map((row) => row.id)
        }, Effect.orDie),

        search: Effect.fn("MessageSearchRepo.search")(function* (query) {
          if (query.channelIds.length === 0) return []
          const tsQuery = sql`to_tsquery('simple', ${query.tsQuery})`
          const after = query.after
          const rows = yield* sql`
            SELECT page.*,
              ts_headline('simple',
                replace(replace(replace(page.body, chr(3), chr(3) || chr(3)), chr(1), chr(3) || chr(4)), chr(2), chr(3) || chr(5)),
                ${tsQuery}, ${options}) AS headline
            FROM (
              SELECT * FROM (
                SELECT ${selected}, ts_rank(search, ${tsQuery})::real AS rank FROM chat_messages
                WHERE channel_id = ANY(${query.channelIds}::uuid[]) AND deleted_at IS NULL AND search @@ ${tsQuery}
                  AND ${query.authorId === undefined ? sql`true` : sql`author_id = ${query.authorId}`}
                  AND ${query.from === undefined ? sql`true` : sql`created_at >= ${query.from}`}
                  AND ${query.to === undefined ? sql`true` : sql`created_at < ${query.to}`}
                  AND ${query.hasFile === undefined ? sql`true` : sql`has_attachments = ${query.hasFile}`}
              ) found
              WHERE ${after === null ? sql`true` : sql`(rank < ${after.score}::real OR (rank = ${after.score}::real AND id < ${after.id}::uuid))`}
              ORDER BY rank DESC, id DESC
              LIMIT ${query.limit}
            ) page
            ORDER BY page.rank DESC, page.id DESC`.pipe(Effect.flatMap(decodeFound))
          return rows.map(({ headline, ...row }) => ({ ...row, highlight: fragmentsOf(headline) }))
        }, Effect.orDie)
      })
    })
  )
}
