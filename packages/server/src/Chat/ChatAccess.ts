import { type ChannelId, ChannelNotFound } from "@moim/domain/Chat/Chat"
import type { GroupId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Option } from "effect"
import type { Actor } from "../Access/Actor.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { type ChannelRow, ChannelsRepo } from "./ChannelsRepo.ts"
import { type ChannelContext, ChatPolicy } from "./ChatPolicy.ts"

type SignedIn = NonNullable<Actor>

const notFound = new ChannelNotFound({ message: "No such channel, or not one you may see" })

/**
 * Where an actor stands with channels: their role in each channel's group (through `GroupAccess`,
 * so a group they may not see, or left, gives them nothing) and their membership. Everything in chat
 * asks here; a channel someone may not read is `ChannelNotFound` to them, as one that does not exist.
 */
export class ChatAccess extends Context.Service<
  ChatAccess,
  {
    /** The actor's standing with these channels, one entry per row, in two queries. */
    readonly contexts: (
      actor: SignedIn,
      rows: ReadonlyArray<ChannelRow>
    ) => Effect.Effect<ReadonlyArray<ChannelContext>>
    /** The channel, if the actor may read it. */
    readonly see: (actor: SignedIn, row: Option.Option<ChannelRow>) => Effect.Effect<ChannelContext, ChannelNotFound>
    /** `see` by id. */
    readonly find: (actor: SignedIn, id: ChannelId) => Effect.Effect<ChannelContext, ChannelNotFound>
    /** The ids among `ids` of channels the actor may read (for the stream and notifications). */
    readonly readable: (actor: SignedIn, ids: ReadonlyArray<ChannelId>) => Effect.Effect<ReadonlySet<string>>
  }
>()("@moim/server/Chat/ChatAccess") {
  static readonly layer = Layer.effect(
    ChatAccess,
    Effect.gen(function* () {
      const repo = yield* ChannelsRepo
      const groups = yield* GroupAccess

      const contexts = Effect.fn("ChatAccess.contexts")(function* (actor: SignedIn, rows: ReadonlyArray<ChannelRow>) {
        if (rows.length === 0) return []
        const groupIds = [...new Set(rows.flatMap((row) => (row.groupId === null ? [] : [row.groupId])))]
        const [standings, memberships] = yield* Effect.all(
          [
            groupIds.length === 0 ? Effect.succeed(new Map<GroupId, never>()) : groups.viewMany(groupIds, actor),
            repo.memberships(
              rows.map((row) => row.id),
              actor.userId
            )
          ],
          { concurrency: 2 }
        )
        const byChannel = new Map(memberships.map((membership) => [membership.channelId, membership] as const))
        return rows.map(
          (channel): ChannelContext => ({
            channel,
            groupRole: channel.groupId === null ? null : (standings.get(channel.groupId)?.standing.role ?? null),
            membership: byChannel.get(channel.id) ?? null
          })
        )
      })

      const see = Effect.fn("ChatAccess.see")(function* (actor: SignedIn, row: Option.Option<ChannelRow>) {
        if (Option.isNone(row)) return yield* notFound
        const [context] = yield* contexts(actor, [row.value])
        if (context === undefined || !ChatPolicy.canRead(context)) return yield* notFound
        return context
      })

      return ChatAccess.of({
        contexts,
        see,
        find: (actor, id) => Effect.flatMap(repo.find(id), (row) => see(actor, row)),
        readable: Effect.fn("ChatAccess.readable")(function* (actor, ids) {
          const rows = yield* repo.findMany(ids)
          const seen = yield* contexts(actor, rows)
          return new Set(seen.filter(ChatPolicy.canRead).map((context) => context.channel.id))
        })
      })
    })
  )
}
