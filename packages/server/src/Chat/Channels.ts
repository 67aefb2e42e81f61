import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import {
  type Channel,
  ChannelArchived,
  ChannelId,
  type ChannelKind,
  type ChannelMember,
  ChannelMember as ChannelMemberModel,
  ChannelNameTaken,
  ChannelNotFound,
  type ChannelNotifyLevel,
  DirectMessageNotAllowed,
  type MessageId,
  MessageNotFound,
  type ReadState
} from "@moim/domain/Chat/Chat"
import type { CreateChannelPayload, UpdateChannelPayload } from "@moim/domain/Chat/ChatApi"
import type { GroupId, GroupNotFound } from "@moim/domain/Groups/Group"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { AudienceGraph } from "../Posts/AudienceGraph.ts"
import { Cursors, type Page, type PageQuery, PositionField, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { type ChannelContext, ChatPolicy } from "./ChatPolicy.ts"
import { ChatStream } from "./ChatStream.ts"
import { ChatViews } from "./ChatViews.ts"
import { MessagesRepo } from "./MessagesRepo.ts"

type SignedIn = CurrentUser["Service"]

/** The name of the channel every group has, and every member is in. */
export const defaultChannelName = "general"

/** How many groups of each person a direct conversation's check compares. */
const groupsCompared = 1000

const NamePosition = Schema.Struct({ key: Schema.String.check(Schema.isMaxLength(80)) })
const MemberPosition = Schema.Struct({
  rank: Schema.Literals([0, 1]),
  at: PositionField.time,
  userId: PositionField.id
})

const notFound = new ChannelNotFound({ message: "No such channel, or not one you may see" })
const archived = new ChannelArchived({ message: "The channel is archived" })

/**
 * A group's channels and direct conversations: creating, renaming, archiving, joining and leaving,
 * members, the lists, and read state. Who may do what is `ChatPolicy`'s, from where the actor stands
 * (`ChatAccess`); a channel someone may not read is `ChannelNotFound` to them everywhere.
 */
export class Channels extends Context.Service<
  Channels,
  {
    readonly create: (
      user: SignedIn,
      groupId: GroupId,
      input: typeof CreateChannelPayload.Type
    ) => Effect.Effect<Channel, GroupNotFound | Forbidden | ChannelNameTaken>
    readonly listInGroup: (
      user: SignedIn,
      groupId: GroupId,
      query: PageQuery & { readonly archived?: "true" | "false" | undefined }
    ) => Effect.Effect<Page<Channel>, GroupNotFound | Forbidden | InvalidCursor>
    readonly listMine: (
      user: SignedIn,
      query: PageQuery & { readonly groupId?: GroupId | undefined; readonly kind?: ChannelKind | undefined }
    ) => Effect.Effect<Page<Channel>, InvalidCursor>
    readonly get: (user: SignedIn, id: ChannelId) => Effect.Effect<Channel, ChannelNotFound>
    readonly update: (
      user: SignedIn,
      id: ChannelId,
      input: typeof UpdateChannelPayload.Type
    ) => Effect.Effect<Channel, ChannelNotFound | Forbidden | ChannelNameTaken | ChannelArchived>
    readonly setArchived: (
      user: SignedIn,
      id: ChannelId,
      archived: boolean
    ) => Effect.Effect<Channel, ChannelNotFound | Forbidden>
    readonly join: (user: SignedIn, id: ChannelId) => Effect.Effect<Channel, ChannelNotFound | ChannelArchived>
    readonly leave: (user: SignedIn, id: ChannelId) => Effect.Effect<void, ChannelNotFound | Forbidden>
    readonly members: (
      user: SignedIn,
      id: ChannelId,
      query: PageQuery
    ) => Effect.Effect<Page<ChannelMember>, ChannelNotFound | InvalidCursor>
    readonly addMember: (
      user: SignedIn,
      id: ChannelId,
      userId: UserId
    ) => Effect.Effect<ChannelMember, ChannelNotFound | UserNotFound | Forbidden | ChannelArchived>
    readonly removeMember: (
      user: SignedIn,
      id: ChannelId,
      userId: UserId
    ) => Effect.Effect<void, ChannelNotFound | Forbidden>
    readonly openDirect: (
      user: SignedIn,
      userIds: ReadonlyArray<UserId>
    ) => Effect.Effect<Channel, UserNotFound | DirectMessageNotAllowed>
    readonly markRead: (
      user: SignedIn,
      id: ChannelId,
      messageId: MessageId | undefined
    ) => Effect.Effect<ReadState, ChannelNotFound | MessageNotFound>
    /** What the channel notifies the user of (null: the default), for those in it. */
    readonly setNotifications: (
      user: SignedIn,
      id: ChannelId,
      level: ChannelNotifyLevel | null
    ) => Effect.Effect<Channel, ChannelNotFound | Forbidden>
    /** The group's `general` channel, made if it is missing (groups from before chat). */
    readonly ensureDefault: (groupId: GroupId) => Effect.Effect<ChannelId>
  }
>()("@moim/server/Chat/Channels") {
  static readonly layer = Layer.effect(
    Channels,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* ChannelsRepo
      const messages = yield* MessagesRepo
      const access = yield* ChatAccess
      const groups = yield* GroupAccess
      const profiles = yield* Profiles
      const blocks = yield* Blocks
      const graph = yield* AudienceGraph
      const views = yield* ChatViews
      const cursors = yield* Cursors
      const stream = yield* ChatStream.make

      const ensureDefault = Effect.fn("Channels.ensureDefault")(function* (groupId: GroupId) {
        const found = yield* repo.findDefault(groupId)
        if (Option.isSome(found)) return found.value.id
        return yield* transaction(
          Effect.gen(function* () {
            yield* repo.lockNames(groupId)
            const again = yield* repo.findDefault(groupId)
            if (Option.isSome(again)) return again.value.id
            const id = ChannelId.make(SecureRandom.uuidV7Unsafe())
            const inserted = yield* repo.insert({
              id,
              groupId,
              kind: "public",
              name: (yield* repo.nameTaken(groupId, defaultChannelName, null))
                ? `${defaultChannelName}-${id.slice(-4)}`
                : defaultChannelName,
              topic: "",
              isDefault: true,
              directKey: null,
              createdBy: null
            })
            if (Option.isNone(inserted)) return yield* Effect.die(new Error("The default channel could not be made"))
            return id
          })
        )
      })

      /** A member of the group who is not yet in its `general` (they joined before chat) is put in it. */
      const enterDefault = Effect.fn("Channels.enterDefault")(function* (user: SignedIn, groupId: GroupId) {
        const id = yield* ensureDefault(groupId)
        if (Option.isSome(yield* repo.membership(id, user.userId))) return
        yield* transaction(
          Effect.gen(function* () {
            if (yield* repo.addMember(id, user.userId, "member")) yield* stream.joined(id, user.userId)
          })
        )
      })

      const show = (user: SignedIn, context: ChannelContext) => views.channel(user.userId, context)

      /** A group's chat is its members'. */
      const inGroup = (groupId: GroupId, actor: NonNullable<Actor>) =>
        groups
          .check(groupId, actor, "participate")
          .pipe(
            Effect.catchTag("Forbidden", () =>
              Effect.fail(new Forbidden({ message: "Only the group's members use its chat" }))
            )
          )

      /** The channel locked, and where the actor stands, if they may read it. */
      const lockSeen = (actor: NonNullable<Actor>, id: ChannelId) =>
        Effect.flatMap(repo.lock(id), (row) => access.see(actor, row))

      const reread = (actor: NonNullable<Actor>, id: ChannelId) => access.find(actor, id)

      const readState = Effect.fn("Channels.readState")(function* (user: SignedIn, id: ChannelId) {
        const [read] = yield* repo.reads([id], user.userId)
        return {
          channelId: id,
          lastReadMessageId: read?.lastReadMessageId ?? null,
          unreadCount: read?.unreadCount ?? 0,
          mentionCount: read?.mentionCount ?? 0
        }
      })

      return Channels.of({
        ensureDefault,

        create: Effect.fn("Channels.create")(function* (user, groupId, input) {
          const actor = Actor.of(user)
          yield* inGroup(groupId, actor)
          yield* enterDefault(user, groupId)
          const id = ChannelId.make(SecureRandom.uuidV7Unsafe())
          yield* transaction(
            Effect.gen(function* () {
              yield* repo.lockNames(groupId)
              if (yield* repo.nameTaken(groupId, input.name, null)) {
                return yield* new ChannelNameTaken({ message: `The group already has a channel named ${input.name}` })
              }
              const inserted = yield* repo.insert({
                id,
                groupId,
                kind: input.kind ?? "public",
                name: input.name,
                topic: input.topic ?? "",
                isDefault: false,
                directKey: null,
                createdBy: user.userId
              })
              if (Option.isNone(inserted)) {
                return yield* new ChannelNameTaken({ message: `The group already has a channel named ${input.name}` })
              }
              yield* repo.addMember(id, user.userId, "admin")
            })
          )
          return yield* show(user, yield* reread(actor, id).pipe(Effect.orDie))
        }),

        listInGroup: Effect.fn("Channels.listInGroup")(function* (user, groupId, query) {
          const actor = Actor.of(user)
          yield* inGroup(groupId, actor)
          yield* enterDefault(user, groupId)
          const archivedOnes = query.archived === "true"
          const scope = `chat-channels:${groupId}:${archivedOnes}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(NamePosition, scope, query.cursor)
          const rows = yield* repo.listInGroup({
            groupId,
            userId: user.userId,
            archived: archivedOnes,
            afterKey: after?.key ?? null,
            limit: limit + 1
          })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ key: row.isDefault ? "" : (row.name ?? "") })
          )
          const contexts = (yield* access.contexts(actor, page.items)).filter(ChatPolicy.canRead)
          return { items: yield* views.channels(user.userId, contexts), nextCursor: page.nextCursor }
        }),

        listMine: Effect.fn("Channels.listMine")(function* (user, query) {
          const actor = Actor.of(user)
          const scope = `chat-mine:${query.groupId ?? ""}:${query.kind ?? ""}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.listMine({
            userId: user.userId,
            groupId: query.groupId ?? null,
            kind: query.kind ?? null,
            after,
            limit: limit + 1
          })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ at: (row.lastMessageAt ?? row.createdAt).toISOString(), id: row.id })
          )
          // A channel of a group the user left or may no longer see is not theirs to list.
          const contexts = (yield* access.contexts(actor, page.items)).filter(ChatPolicy.canRead)
          return { items: yield* views.channels(user.userId, contexts), nextCursor: page.nextCursor }
        }),

        get: Effect.fn("Channels.get")(function* (user, id) {
          return yield* show(user, yield* access.find(Actor.of(user), id))
        }),

        setNotifications: Effect.fn("Channels.setNotifications")(function* (user, id, level) {
          const actor = Actor.of(user)
          const context = yield* access.find(actor, id)
          if (context.membership === null || !(yield* repo.setNotify(id, user.userId, level))) {
            return yield* new Forbidden({ message: "Join the channel to choose what it notifies you of" })
          }
          return yield* show(user, yield* access.find(actor, id))
        }),

        update: Effect.fn("Channels.update")(function* (user, id, input) {
          const actor = Actor.of(user)
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* lockSeen(actor, id)
              const { channel } = context
              if (channel.archivedAt !== null) return yield* archived
              // The group's owner and admins manage any channel they see, without being in it.
              if (context.membership === null && !ChatPolicy.canManage(context)) {
                return yield* new Forbidden({ message: "Only those in the channel change it" })
              }
              const renamed = input.name !== undefined && input.name !== channel.name
              if (renamed && (channel.kind === "direct" || channel.isDefault)) {
                return yield* new Forbidden({ message: "Conversations and `general` keep their names" })
              }
              if (renamed && !ChatPolicy.canManage(context)) {
                return yield* new Forbidden({ message: "Only the channel's admins rename it" })
              }
              if (renamed && channel.groupId !== null && input.name !== undefined) {
                yield* repo.lockNames(channel.groupId)
                if (yield* repo.nameTaken(channel.groupId, input.name, channel.id)) {
                  return yield* new ChannelNameTaken({ message: `The group already has a channel named ${input.name}` })
                }
              }
              yield* repo.update(id, { name: input.name ?? channel.name, topic: input.topic ?? channel.topic })
              yield* stream.channelUpdated(id)
            })
          )
          return yield* show(user, yield* reread(actor, id).pipe(Effect.orDie))
        }),

        setArchived: Effect.fn("Channels.setArchived")(function* (user, id, archive) {
          const actor = Actor.of(user)
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* lockSeen(actor, id)
              if (!ChatPolicy.canManage(context)) {
                return yield* new Forbidden({ message: "Only the channel's admins and the group's admins archive it" })
              }
              if (context.channel.isDefault && archive) {
                return yield* new Forbidden({ message: "The group's `general` channel cannot be archived" })
              }
              if ((context.channel.archivedAt !== null) === archive) return
              yield* repo.setArchived(id, archive)
              yield* stream.channelUpdated(id)
            })
          )
          return yield* show(user, yield* reread(actor, id).pipe(Effect.orDie))
        }),

        join: Effect.fn("Channels.join")(function* (user, id) {
          const actor = Actor.of(user)
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* lockSeen(actor, id)
              if (context.membership !== null) return
              if (context.channel.archivedAt !== null) return yield* archived
              // Readable but not joinable is a private channel one is not in: it stays unseen.
              if (!ChatPolicy.canJoin(context)) return yield* notFound
              if (yield* repo.addMember(id, user.userId, "member")) yield* stream.joined(id, user.userId)
            })
          )
          return yield* show(user, yield* reread(actor, id).pipe(Effect.orDie))
        }),

        leave: Effect.fn("Channels.leave")(function* (user, id) {
          const actor = Actor.of(user)
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* lockSeen(actor, id)
              if (context.membership === null) return
              if (!ChatPolicy.canLeave(context)) {
                return yield* new Forbidden({
                  message: "Nobody leaves the group's `general` channel or a one-to-one conversation"
                })
              }
              if (yield* repo.removeMember(id, user.userId)) yield* stream.left([id], user.userId)
            })
          )
        }),

        members: Effect.fn("Channels.members")(function* (user, id, query) {
          yield* access.find(Actor.of(user), id)
          const scope = `chat-members:${id}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(MemberPosition, scope, query.cursor)
          const rows = yield* repo.members({ channelId: id, after, limit: limit + 1 })
          const page = cursors.page(
            scope,
            rows,
            limit,
            (row) => row,
            (row) => ({ rank: row.role === "admin" ? 0 : 1, at: row.joinedAt.toISOString(), userId: row.userId })
          )
          const people = yield* profiles.getMany(page.items.map((row) => row.userId))
          return {
            items: page.items.flatMap((row) => {
              const profile = people.get(row.userId)
              return profile === undefined
                ? []
                : [
                    new ChannelMemberModel({
                      user: profile,
                      role: row.role,
                      joinedAt: DateTime.fromDateUnsafe(row.joinedAt)
                    })
                  ]
            }),
            nextCursor: page.nextCursor
          }
        }),

        addMember: Effect.fn("Channels.addMember")(function* (user, id, userId) {
          const actor = Actor.of(user)
          const profile = yield* profiles.get(userId)
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* lockSeen(actor, id)
              if (context.channel.archivedAt !== null) return yield* archived
              if (!ChatPolicy.canAdd(context)) {
                return yield* new Forbidden({
                  message:
                    context.channel.kind === "direct"
                      ? "Open a new conversation to talk with more people"
                      : "Only the channel's admins add people to a private channel"
                })
              }
              const groupId = context.channel.groupId
              const standing = groupId === null ? null : yield* groups.standing(groupId, userId)
              if (standing === null || standing.role === null) {
                return yield* new UserNotFound({ message: "No such member of the group" })
              }
              if (yield* repo.addMember(id, userId, "member")) yield* stream.joined(id, userId)
            })
          )
          const membership = yield* repo.membership(id, userId)
          if (Option.isNone(membership)) return yield* Effect.die(new Error("A member just added is missing"))
          return new ChannelMemberModel({
            user: profile,
            role: membership.value.role,
            joinedAt: DateTime.fromDateUnsafe(membership.value.joinedAt)
          })
        }),

        removeMember: Effect.fn("Channels.removeMember")(function* (user, id, userId) {
          const actor = Actor.of(user)
          if (userId === user.userId) {
            return yield* Effect.flatMap(access.find(actor, id), () =>
              Effect.fail(new Forbidden({ message: "Leave the channel instead" }))
            )
          }
          yield* transaction(
            Effect.gen(function* () {
              const context = yield* lockSeen(actor, id)
              if (!ChatPolicy.canManage(context)) {
                return yield* new Forbidden({
                  message: "Only the channel's admins and the group's admins remove people"
                })
              }
              if (context.channel.isDefault) {
                return yield* new Forbidden({ message: "People leave `general` only by leaving the group" })
              }
              if (yield* repo.removeMember(id, userId)) yield* stream.left([id], userId)
            })
          )
        }),

        openDirect: Effect.fn("Channels.openDirect")(function* (user, userIds) {
          const actor = Actor.of(user)
          const others = [...new Set(userIds)].filter((id) => id !== user.userId)
          if (others.length === 0) {
            return yield* new DirectMessageNotAllowed({ message: "A conversation is with at least one other person" })
          }
          const people = yield* profiles.getMany(others)
          const missing = others.find((id) => !people.has(id))
          if (missing !== undefined) return yield* new UserNotFound({ message: `No such user: ${missing}` })
          const everyone = [user.userId, ...others]
          for (const id of everyone) {
            const hidden = yield* blocks.hiddenAmong(
              id,
              everyone.filter((other) => other !== id)
            )
            if (hidden.size > 0) {
              return yield* new DirectMessageNotAllowed({ message: "Someone in the conversation blocked another" })
            }
          }
          const relations = yield* graph.relations(user.userId, others)
          const mine = new Set(yield* groups.memberOf(user.userId, groupsCompared))
          for (const other of others) {
            if (relations.get(other)?.friends === true) continue
            const theirs = yield* groups.memberOf(other, groupsCompared)
            if (!theirs.some((groupId) => mine.has(groupId))) {
              return yield* new DirectMessageNotAllowed({
                message: "Direct messages are with your friends and people who share a group with you"
              })
            }
          }
          const directKey = [...everyone].sort().join(",")
          const id = yield* transaction(
            Effect.gen(function* () {
              const existing = yield* repo.findDirect(directKey)
              const channelId = Option.isSome(existing)
                ? existing.value.id
                : yield* Effect.gen(function* () {
                    const fresh = ChannelId.make(SecureRandom.uuidV7Unsafe())
                    const inserted = yield* repo.insert({
                      id: fresh,
                      groupId: null,
                      kind: "direct",
                      name: null,
                      topic: "",
                      isDefault: false,
                      directKey,
                      createdBy: user.userId
                    })
                    if (Option.isSome(inserted)) return fresh
                    // Opened at the same moment by someone else in it.
                    const raced = yield* repo.findDirect(directKey)
                    if (Option.isNone(raced)) return yield* Effect.die(new Error("A conversation vanished"))
                    return raced.value.id
                  })
              yield* repo.lock(channelId)
              // Opening it again brings back whoever left it.
              for (const member of everyone) yield* repo.addMember(channelId, member, "member")
              return channelId
            })
          )
          return yield* show(user, yield* reread(actor, id).pipe(Effect.orDie))
        }),

        markRead: Effect.fn("Channels.markRead")(function* (user, id, messageId) {
          const context = yield* access.find(Actor.of(user), id)
          if (context.membership === null) {
            return { channelId: id, lastReadMessageId: null, unreadCount: 0, mentionCount: 0 }
          }
          let seq = context.channel.lastSeq
          if (messageId !== undefined) {
            const message = yield* messages.find(messageId)
            if (Option.isNone(message) || message.value.channelId !== id) {
              return yield* new MessageNotFound({ message: "No such message in this channel" })
            }
            seq = message.value.seq
          }
          const state = yield* transaction(
            Effect.gen(function* () {
              yield* repo.markRead(id, user.userId, seq)
              const state = yield* readState(user, id)
              yield* stream.read(user.userId, state)
              return state
            })
          )
          return state
        })
      })
    })
  )
}
