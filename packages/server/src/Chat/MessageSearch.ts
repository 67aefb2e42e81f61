import type { UserId } from "@moim/domain/Accounts/User"
import type { ChannelId, ChannelNotFound } from "@moim/domain/Chat/Chat"
import { MessageSearchHit } from "@moim/domain/Chat/ChatSearchApi"
import type { GroupId } from "@moim/domain/Groups/Group"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, DateTime, Effect, Layer, Schema } from "effect"
import { Actor } from "../Access/Actor.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Cursors, type Page, type PageQuery, PositionField } from "../platform/Cursors.ts"
import { toTsQuery } from "../platform/TextSearch.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatViews } from "./ChatViews.ts"
import { MessageSearchRepo } from "./MessageSearchRepo.ts"

type SignedIn = CurrentUser["Service"]

/** What a search asks for: the words, and the filters. */
export interface SearchQuery extends PageQuery {
  readonly q: string
  readonly channelId?: ChannelId | undefined
  readonly groupId?: GroupId | undefined
  readonly authorId?: UserId | undefined
  readonly from?: DateTime.Utc | undefined
  readonly to?: DateTime.Utc | undefined
  readonly hasFile?: "true" | "false" | undefined
}

/** How many of the searcher's groups lend their public channels to a search. */
const groupsSearched = 1000

const ScorePosition = Schema.Struct({ score: PositionField.number, id: PositionField.id })

/**
 * Full-text search over the messages someone may read now: those of the channels and conversations
 * they are in, and of the public channels of the groups they are in, each checked by `ChatAccess`
 * (so never a private channel they are not in, nor a channel of a group they left).
 */
export class MessageSearch extends Context.Service<
  MessageSearch,
  {
    readonly search: (
      user: SignedIn,
      query: SearchQuery
    ) => Effect.Effect<Page<MessageSearchHit>, ChannelNotFound | InvalidCursor>
  }
>()("@moim/server/Chat/MessageSearch") {
  static readonly layer = Layer.effect(
    MessageSearch,
    Effect.gen(function* () {
      const repo = yield* MessageSearchRepo
      const access = yield* ChatAccess
      const groups = yield* GroupAccess
      const views = yield* ChatViews
      const cursors = yield* Cursors

      /** The channels searched: the one asked for (if readable), or every readable candidate. */
      const channelsOf = Effect.fn("MessageSearch.channelsOf")(function* (user: SignedIn, query: SearchQuery) {
        const actor = Actor.of(user)
        if (query.channelId !== undefined) {
          const { channel } = yield* access.find(actor, query.channelId)
          return query.groupId === undefined || channel.groupId === query.groupId ? [channel.id] : []
        }
        const groupIds = yield* groups.memberOf(user.userId, groupsSearched)
        const candidates = yield* repo.candidates({ userId: user.userId, groupIds, groupId: query.groupId })
        const readable = yield* access.readable(actor, candidates)
        return candidates.filter((id) => readable.has(id))
      })

      return MessageSearch.of({
        search: Effect.fn("MessageSearch.search")(function* (user, query) {
          const tsQuery = toTsQuery(query.q)
          const channelIds = yield* channelsOf(user, query)
          if (tsQuery === null) return { items: [], nextCursor: null }
          const scope = [
            "chat-search",
            user.userId,
            tsQuery,
            query.channelId ?? "",
            query.groupId ?? "",
            query.authorId ?? "",
            query.from === undefined ? "" : DateTime.formatIso(query.from),
            query.to === undefined ? "" : DateTime.formatIso(query.to),
            query.hasFile ?? ""
          ].join(":")
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(ScorePosition, scope, query.cursor)
          const rows = yield* repo.search({
            tsQuery,
            channelIds,
            authorId: query.authorId,
            from: query.from === undefined ? undefined : DateTime.toDateUtc(query.from),
            to: query.to === undefined ? undefined : DateTime.toDateUtc(query.to),
            hasFile: query.hasFile === undefined ? undefined : query.hasFile === "true",
            after,
            limit: limit + 1
          })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ score: String(row.rank), id: row.id })
          )
          const messages = yield* views.messages(page.items)
          return {
            items: messages.map(
              (message, index) => new MessageSearchHit({ message, highlight: page.items[index]?.highlight ?? [] })
            ),
            nextCursor: page.nextCursor
          }
        })
      })
    })
  )
}
