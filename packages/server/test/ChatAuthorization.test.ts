import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { ChannelId, MessageId } from "@moim/domain/Chat/Chat"
import { GroupId } from "@moim/domain/Groups/Group"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  type Services,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

/**
 * - `member`: in the group and its public channel, not in the private one.
 * - `author`: wrote the cell's messages; in both channels (not their admin) and in the conversation.
 * - `channelAdmin`: made both channels (their admin); an ordinary member of the group.
 * - `groupAdmin`: the group's admin, in neither channel.
 * - `blocked`: in the group and its public channel, and in the conversation, where `peer` blocked them.
 * - `outsider`: not in the group, nor in the conversation.
 */
type ActorName =
  | "anonymous"
  | "suspended"
  | "outsider"
  | "member"
  | "author"
  | "channelAdmin"
  | "groupAdmin"
  | "blocked"

const actorNames: ReadonlyArray<ActorName> = [
  "anonymous",
  "suspended",
  "outsider",
  "member",
  "author",
  "channelAdmin",
  "groupAdmin",
  "blocked"
]

/**
 * The actors, and three people who are not: the group's owner, a colleague in both channels, and
 * `peer`, in the group (in neither channel) and in the conversation, who blocked `blocked`.
 */
type World = Record<Exclude<ActorName, "anonymous">, TestUser> & {
  readonly owner: TestUser
  readonly colleague: TestUser
  readonly peer: TestUser
}

/**
 * One cell's private group with a public channel (`pub`) and a private one (`priv`), a message of
 * the author's in each (`pubMessage`, `privMessage`), and a conversation of the author, `peer` and
 * `blocked` with a message of the author's (`directMessage`).
 */
interface Scenario {
  readonly token: string | undefined
  readonly groupId: GroupId
  readonly pub: ChannelId
  readonly priv: ChannelId
  readonly direct: ChannelId
  readonly pubMessage: MessageId
  readonly privMessage: MessageId
  readonly directMessage: MessageId
}

const scenario = (world: World, actor: ActorName, options: { readonly archived?: boolean } = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const groupId = GroupId.make(randomUUID())
    const pub = ChannelId.make(randomUUID())
    const priv = ChannelId.make(randomUUID())
    const direct = ChannelId.make(randomUUID())
    const pubMessage = MessageId.make(randomUUID())
    const privMessage = MessageId.make(randomUUID())
    const directMessage = MessageId.make(randomUUID())
    const id = (user: TestUser) => UserId.make(user.userId)
    const archivedAt = options.archived === true ? sql`now()` : sql`NULL`
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`
          INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
            member_count, post_count, search, created_at, updated_at)
          VALUES (${groupId}, 'Matrix chat', '', 'other', '{}'::text[], 'private', 'invite', NULL, ${id(world.owner)},
            8, 0, to_tsvector('simple', 'Matrix chat'), now(), now())`
        for (const [user, role] of [
          [world.owner, "owner"],
          [world.groupAdmin, "admin"],
          [world.channelAdmin, "member"],
          [world.author, "member"],
          [world.member, "member"],
          [world.blocked, "member"],
          [world.colleague, "member"],
          [world.peer, "member"]
        ] as const) {
          yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${id(user)}, ${role}, now())`
        }
        // The same three people have one conversation: the previous cell's goes.
        const directKey = [id(world.author), id(world.peer), id(world.blocked)].sort().join(",")
        yield* sql`DELETE FROM chat_channels WHERE direct_key = ${directKey}`
        yield* sql`
          INSERT INTO chat_channels (id, group_id, kind, name, topic, direct_key, created_by, archived_at, last_seq,
            last_message_at, member_count, created_at, updated_at)
          VALUES
            (${pub}, ${groupId}, 'public', 'lobby', '', NULL, ${id(world.channelAdmin)}, ${archivedAt}, 1, now(), 5, now(), now()),
            (${priv}, ${groupId}, 'private', 'secret', '', NULL, ${id(world.channelAdmin)}, ${archivedAt}, 1, now(), 3, now(), now()),
            (${direct}, NULL, 'direct', NULL, '', ${directKey}, ${id(world.author)}, NULL, 1, now(), 3, now(), now())`
        const members: ReadonlyArray<readonly [ChannelId, TestUser, "admin" | "member"]> = [
          [pub, world.channelAdmin, "admin"],
          [pub, world.author, "member"],
          [pub, world.member, "member"],
          [pub, world.blocked, "member"],
          [pub, world.colleague, "member"],
          [priv, world.channelAdmin, "admin"],
          [priv, world.author, "member"],
          [priv, world.colleague, "member"],
          [direct, world.author, "member"],
          [direct, world.peer, "member"],
          [direct, world.blocked, "member"]
        ]
        for (const [channel, user, role] of members) {
          yield* sql`
            INSERT INTO chat_members (channel_id, user_id, role, joined_at) VALUES (${channel}, ${id(user)}, ${role}, now())`
        }
        for (const [message, channel] of [
          [pubMessage, pub],
          [privMessage, priv],
          [directMessage, direct]
        ] as const) {
          yield* sql`
            INSERT INTO chat_messages (id, channel_id, seq, author_id, body, created_at)
            VALUES (${message}, ${channel}, 1, ${id(world.author)}, 'Matrix message', now())`
        }
      })
    )
    return {
      token: actor === "anonymous" ? undefined : world[actor].token,
      groupId,
      pub,
      priv,
      direct,
      pubMessage,
      privMessage,
      directMessage
    } satisfies Scenario
  }).pipe(Effect.orDie)

const archivedScenario = (world: World, actor: ActorName) => scenario(world, actor, { archived: true })

const channelNotFound: Expectation = [404, "ChannelNotFound"]
const messageNotFound: Expectation = [404, "MessageNotFound"]
const groupNotFound: Expectation = [404, "GroupNotFound"]
const directNotAllowed: Expectation = [403, "DirectMessageNotAllowed"]

/** Signed-in actors get `others`; anonymous and suspended callers are refused before anything. */
const everyone = (others: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  suspended,
  outsider: others,
  member: others,
  author: others,
  channelAdmin: others,
  groupAdmin: others,
  blocked: others
})

/** The public channel: the group's members see it (the group's admin without being in it); to outsiders it does not exist. */
const inGroup = (seen: Expectation, hidden: Expectation = channelNotFound): Record<ActorName, Expectation> => ({
  ...everyone(seen),
  outsider: hidden
})

/** The private channel: only those in it (the author and its admin) see it, not even the group's admin. */
const inPrivate = (seen: Expectation, hidden: Expectation = channelNotFound): Record<ActorName, Expectation> => ({
  ...everyone(hidden),
  author: seen,
  channelAdmin: seen
})

/** The conversation: only those in it (the author and `blocked`) see it. */
const inDirect = (seen: Expectation, hidden: Expectation = channelNotFound): Record<ActorName, Expectation> => ({
  ...everyone(hidden),
  author: seen,
  blocked: seen
})

/** The public channel's writers: those in it, not the group's admin who is not. */
const pubWriters = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success),
  groupAdmin: forbidden
})

/** Managing the public channel: its admin and the group's admin; others in the group see it but are refused. */
const pubManagers = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(forbidden),
  channelAdmin: success,
  groupAdmin: success
})

/** Managing the private channel: its admin; the author is in it but refused; the group's admin does not see it. */
const privManagers = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inPrivate(forbidden),
  channelAdmin: success
})

const rows: ReadonlyArray<Row<ActorName, World, Scenario, Services>> = [
  {
    operation: "create a channel in the group",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/groups/${s.groupId}/channels`, { token: s.token, body: { name: "new-one" } }),
    rpc: (s, _w, client) => client.CreateChannel({ id: s.groupId, name: "new-one" }),
    expect: inGroup([201], groupNotFound)
  },
  {
    operation: "list the group's channels",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/groups/${s.groupId}/channels`, { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupChannels({ id: s.groupId }),
    expect: inGroup([200], groupNotFound)
  },
  {
    operation: "list my channels",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/channels", { token: s.token }),
    rpc: (_s, _w, client) => client.ListMyChannels({}),
    expect: everyone([200])
  },
  {
    operation: "read the public channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.pub}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetChannel({ id: s.pub }),
    expect: inGroup([200])
  },
  {
    operation: "read the private channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.priv}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetChannel({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "read the conversation",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.direct}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetChannel({ id: s.direct }),
    expect: inDirect([200])
  },
  {
    operation: "rename the public channel",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/channels/${s.pub}`, { token: s.token, body: { name: "renamed" } }),
    rpc: (s, _w, client) => client.UpdateChannel({ id: s.pub, name: "renamed" }),
    expect: pubManagers([200])
  },
  {
    operation: "rename the private channel",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/channels/${s.priv}`, { token: s.token, body: { name: "renamed" } }),
    rpc: (s, _w, client) => client.UpdateChannel({ id: s.priv, name: "renamed" }),
    expect: privManagers([200])
  },
  {
    operation: "rename the conversation",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/channels/${s.direct}`, { token: s.token, body: { name: "renamed" } }),
    rpc: (s, _w, client) => client.UpdateChannel({ id: s.direct, name: "renamed" }),
    expect: inDirect(forbidden)
  },
  {
    operation: "set the public channel's topic",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/channels/${s.pub}`, { token: s.token, body: { topic: "Plans" } }),
    rpc: (s, _w, client) => client.UpdateChannel({ id: s.pub, topic: "Plans" }),
    // Those in it, and the group's admin, who manages it without being in it.
    expect: inGroup([200])
  },
  {
    operation: "set the private channel's topic",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/channels/${s.priv}`, { token: s.token, body: { topic: "Plans" } }),
    rpc: (s, _w, client) => client.UpdateChannel({ id: s.priv, topic: "Plans" }),
    expect: inPrivate([200])
  },
  {
    operation: "archive the public channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.pub}/archive`, { token: s.token }),
    rpc: (s, _w, client) => client.ArchiveChannel({ id: s.pub }),
    expect: pubManagers([200])
  },
  {
    operation: "archive the private channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.priv}/archive`, { token: s.token }),
    rpc: (s, _w, client) => client.ArchiveChannel({ id: s.priv }),
    expect: privManagers([200])
  },
  {
    operation: "archive the conversation",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.direct}/archive`, { token: s.token }),
    rpc: (s, _w, client) => client.ArchiveChannel({ id: s.direct }),
    expect: inDirect(forbidden)
  },
  {
    operation: "bring the archived public channel back",
    setup: archivedScenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.pub}/unarchive`, { token: s.token }),
    rpc: (s, _w, client) => client.UnarchiveChannel({ id: s.pub }),
    expect: pubManagers([200])
  },
  {
    operation: "bring the archived private channel back",
    setup: archivedScenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.priv}/unarchive`, { token: s.token }),
    rpc: (s, _w, client) => client.UnarchiveChannel({ id: s.priv }),
    expect: privManagers([200])
  },
  {
    operation: "join the public channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.pub}/join`, { token: s.token }),
    rpc: (s, _w, client) => client.JoinChannel({ id: s.pub }),
    expect: inGroup([200])
  },
  {
    operation: "join the private channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.priv}/join`, { token: s.token }),
    rpc: (s, _w, client) => client.JoinChannel({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "leave the private channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.priv}/leave`, { token: s.token }),
    rpc: (s, _w, client) => client.LeaveChannel({ id: s.priv }),
    expect: inPrivate([204])
  },
  {
    operation: "leave the conversation",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.direct}/leave`, { token: s.token }),
    rpc: (s, _w, client) => client.LeaveChannel({ id: s.direct }),
    expect: inDirect([204])
  },
  {
    operation: "list the private channel's members",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.priv}/members`, { token: s.token }),
    rpc: (s, _w, client) => client.ListChannelMembers({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "add the group's owner to the public channel",
    setup: scenario,
    rest: (s, w) => call("PUT", `/api/v1/channels/${s.pub}/members/${w.owner.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.AddChannelMember({ id: s.pub, userId: UserId.make(w.owner.userId) }),
    expect: pubWriters([200])
  },
  {
    operation: "add a member to the private channel",
    setup: scenario,
    rest: (s, w) => call("PUT", `/api/v1/channels/${s.priv}/members/${w.member.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.AddChannelMember({ id: s.priv, userId: UserId.make(w.member.userId) }),
    expect: privManagers([200])
  },
  {
    operation: "add someone to the conversation",
    setup: scenario,
    rest: (s, w) => call("PUT", `/api/v1/channels/${s.direct}/members/${w.member.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.AddChannelMember({ id: s.direct, userId: UserId.make(w.member.userId) }),
    expect: inDirect(forbidden)
  },
  {
    operation: "remove a colleague from the public channel",
    setup: scenario,
    rest: (s, w) => call("DELETE", `/api/v1/channels/${s.pub}/members/${w.colleague.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.RemoveChannelMember({ id: s.pub, userId: UserId.make(w.colleague.userId) }),
    expect: pubManagers([204])
  },
  {
    operation: "remove a colleague from the private channel",
    setup: scenario,
    rest: (s, w) => call("DELETE", `/api/v1/channels/${s.priv}/members/${w.colleague.userId}`, { token: s.token }),
    rpc: (s, w, client) => client.RemoveChannelMember({ id: s.priv, userId: UserId.make(w.colleague.userId) }),
    expect: privManagers([204])
  },
  {
    operation: "open a conversation with peer",
    setup: scenario,
    rest: (s, w) => call("POST", "/api/v1/me/direct-channels", { token: s.token, body: { userIds: [w.peer.userId] } }),
    rpc: (_s, w, client) => client.OpenDirectChannel({ userIds: [UserId.make(w.peer.userId)] }),
    // Peer is in the group, and blocked `blocked`; the outsider shares no group with them.
    expect: { ...inGroup([200], directNotAllowed), blocked: directNotAllowed }
  },
  {
    operation: "mark the private channel read",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.priv}/read`, { token: s.token, body: {} }),
    rpc: (s, _w, client) => client.MarkChannelRead({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "choose what the public channel notifies of",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/channels/${s.pub}/notifications`, { token: s.token, body: { level: "nothing" } }),
    rpc: (s, _w, client) => client.SetChannelNotifications({ id: s.pub, level: "nothing" }),
    // Those in it; the group's admin sees it without being in it.
    expect: pubWriters([200])
  },
  {
    operation: "choose what the private channel notifies of",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/channels/${s.priv}/notifications`, { token: s.token, body: { level: "all" } }),
    rpc: (s, _w, client) => client.SetChannelNotifications({ id: s.priv, level: "all" }),
    expect: inPrivate([200])
  },
  {
    operation: "choose what the conversation notifies of",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/channels/${s.direct}/notifications`, { token: s.token, body: { level: null } }),
    rpc: (s, _w, client) => client.SetChannelNotifications({ id: s.direct, level: null }),
    expect: inDirect([200])
  },
  {
    operation: "send in the public channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.pub}/messages`, { token: s.token, body: { body: "Hello" } }),
    rpc: (s, _w, client) => client.SendMessage({ id: s.pub, body: "Hello" }),
    expect: pubWriters([201])
  },
  {
    operation: "send in the private channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.priv}/messages`, { token: s.token, body: { body: "Hello" } }),
    rpc: (s, _w, client) => client.SendMessage({ id: s.priv, body: "Hello" }),
    expect: inPrivate([201])
  },
  {
    operation: "send in the conversation",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.direct}/messages`, { token: s.token, body: { body: "Hello" } }),
    rpc: (s, _w, client) => client.SendMessage({ id: s.direct, body: "Hello" }),
    expect: { ...inDirect([201]), blocked: directNotAllowed }
  },
  {
    operation: "reply in a thread of the private channel",
    setup: scenario,
    rest: (s) =>
      call("POST", `/api/v1/channels/${s.priv}/messages`, {
        token: s.token,
        body: { body: "Hello", threadRootId: s.privMessage }
      }),
    rpc: (s, _w, client) => client.SendMessage({ id: s.priv, body: "Hello", threadRootId: s.privMessage }),
    expect: inPrivate([201])
  },
  {
    operation: "read the public channel's history",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.pub}/messages`, { token: s.token }),
    rpc: (s, _w, client) => client.ListMessages({ id: s.pub }),
    expect: inGroup([200])
  },
  {
    operation: "read the private channel's history",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.priv}/messages`, { token: s.token }),
    rpc: (s, _w, client) => client.ListMessages({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "read the conversation's history",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.direct}/messages`, { token: s.token }),
    rpc: (s, _w, client) => client.ListMessages({ id: s.direct }),
    expect: inDirect([200])
  },
  {
    operation: "read a thread of the private channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/messages/${s.privMessage}/replies`, { token: s.token }),
    rpc: (s, _w, client) => client.ListThreadReplies({ id: s.privMessage }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "read a message of the private channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/messages/${s.privMessage}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetMessage({ id: s.privMessage }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "read a message of the conversation",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/messages/${s.directMessage}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetMessage({ id: s.directMessage }),
    expect: inDirect([200], messageNotFound)
  },
  {
    operation: "edit the author's message in the public channel",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/messages/${s.pubMessage}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.EditMessage({ id: s.pubMessage, body: "Edited" }),
    expect: { ...inGroup(forbidden, messageNotFound), author: [200] }
  },
  {
    operation: "edit the author's message in the private channel",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/messages/${s.privMessage}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.EditMessage({ id: s.privMessage, body: "Edited" }),
    expect: { ...inPrivate(forbidden, messageNotFound), author: [200] }
  },
  {
    operation: "edit the author's message in the conversation",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/messages/${s.directMessage}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.EditMessage({ id: s.directMessage, body: "Edited" }),
    expect: { ...inDirect(forbidden, messageNotFound), author: [200] }
  },
  {
    operation: "delete the author's message in the public channel",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/messages/${s.pubMessage}`, { token: s.token }),
    rpc: (s, _w, client) => client.DeleteMessage({ id: s.pubMessage }),
    expect: { ...inGroup(forbidden, messageNotFound), author: [204], channelAdmin: [204], groupAdmin: [204] }
  },
  {
    operation: "delete the author's message in the private channel",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/messages/${s.privMessage}`, { token: s.token }),
    rpc: (s, _w, client) => client.DeleteMessage({ id: s.privMessage }),
    expect: inPrivate([204], messageNotFound)
  },
  {
    operation: "delete the author's message in the conversation",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/messages/${s.directMessage}`, { token: s.token }),
    rpc: (s, _w, client) => client.DeleteMessage({ id: s.directMessage }),
    expect: { ...inDirect(forbidden, messageNotFound), author: [204] }
  },
  {
    operation: "read the edits of the author's message in the public channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/messages/${s.pubMessage}/edits`, { token: s.token }),
    rpc: (s, _w, client) => client.ListMessageEdits({ id: s.pubMessage }),
    expect: { ...inGroup(forbidden, messageNotFound), author: [200], channelAdmin: [200], groupAdmin: [200] }
  },
  {
    operation: "read the edits of the author's message in the private channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/messages/${s.privMessage}/edits`, { token: s.token }),
    rpc: (s, _w, client) => client.ListMessageEdits({ id: s.privMessage }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "react to a message of the public channel",
    setup: scenario,
    rest: (s) =>
      call("PUT", `/api/v1/messages/${s.pubMessage}/reactions/${encodeURIComponent("👍")}`, { token: s.token }),
    rpc: (s, _w, client) => client.ReactToMessage({ id: s.pubMessage, emoji: "👍" }),
    expect: { ...pubWriters([200]), outsider: messageNotFound }
  },
  {
    operation: "react to a message of the private channel",
    setup: scenario,
    rest: (s) =>
      call("PUT", `/api/v1/messages/${s.privMessage}/reactions/${encodeURIComponent("👍")}`, { token: s.token }),
    rpc: (s, _w, client) => client.ReactToMessage({ id: s.privMessage, emoji: "👍" }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "take back a reaction in the public channel",
    setup: scenario,
    rest: (s) =>
      call("DELETE", `/api/v1/messages/${s.pubMessage}/reactions/${encodeURIComponent("👍")}`, { token: s.token }),
    rpc: (s, _w, client) => client.RemoveMessageReaction({ id: s.pubMessage, emoji: "👍" }),
    expect: { ...pubWriters([200]), outsider: messageNotFound }
  },
  {
    operation: "pin a message of the public channel",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/messages/${s.pubMessage}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.PinMessage({ id: s.pubMessage }),
    expect: { ...pubWriters([200]), outsider: messageNotFound }
  },
  {
    operation: "pin a message of the private channel",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/messages/${s.privMessage}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.PinMessage({ id: s.privMessage }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "unpin a message of the public channel",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/messages/${s.pubMessage}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.UnpinMessage({ id: s.pubMessage }),
    expect: { ...pubWriters([200]), outsider: messageNotFound }
  },
  {
    operation: "list the private channel's pins",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.priv}/pins`, { token: s.token }),
    rpc: (s, _w, client) => client.ListPinnedMessages({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "follow a thread of the private channel",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/messages/${s.privMessage}/follow`, { token: s.token }),
    rpc: (s, _w, client) => client.FollowThread({ id: s.privMessage }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "unfollow a thread of the conversation",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/messages/${s.directMessage}/follow`, { token: s.token }),
    rpc: (s, _w, client) => client.UnfollowThread({ id: s.directMessage }),
    expect: inDirect([200], messageNotFound)
  },
  {
    operation: "mark a thread of the private channel read",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/messages/${s.privMessage}/replies/read`, { token: s.token }),
    rpc: (s, _w, client) => client.MarkThreadRead({ id: s.privMessage }),
    expect: inPrivate([200], messageNotFound)
  },
  {
    operation: "list my followed threads",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/threads", { token: s.token }),
    rpc: (_s, _w, client) => client.ListFollowedThreads({}),
    expect: everyone([200])
  },
  {
    operation: "type in the public channel",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.pub}/typing`, { token: s.token, body: {} }),
    rpc: (s, _w, client) => client.SendTyping({ id: s.pub }),
    expect: pubWriters([204])
  },
  {
    operation: "type in the conversation",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/channels/${s.direct}/typing`, { token: s.token, body: {} }),
    rpc: (s, _w, client) => client.SendTyping({ id: s.direct }),
    expect: { ...inDirect([204]), blocked: directNotAllowed }
  },
  {
    operation: "set my presence",
    setup: scenario,
    rest: (s) => call("PUT", "/api/v1/me/presence", { token: s.token, body: { status: "online" } }),
    rpc: (_s, _w, client) => client.SetPresence({ status: "online" }),
    expect: everyone([204])
  },
  {
    operation: "who is here in the private channel",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/channels/${s.priv}/presence`, { token: s.token }),
    rpc: (s, _w, client) => client.GetChannelPresence({ id: s.priv }),
    expect: inPrivate([200])
  },
  {
    operation: "search messages",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/chat/search?q=matrix", { token: s.token }),
    rpc: (_s, _w, client) => client.SearchMessages({ q: "matrix" }),
    expect: everyone([200])
  },
  {
    operation: "search the private channel's messages",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/me/chat/search?q=matrix&channelId=${s.priv}`, { token: s.token }),
    rpc: (s, _w, client) => client.SearchMessages({ q: "matrix", channelId: s.priv }),
    expect: inPrivate([200])
  }
]

describeMatrix("Chat authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const world: World = {
      outsider: yield* signUp("Outsider"),
      member: yield* signUp("Member"),
      author: yield* signUp("Author"),
      channelAdmin: yield* signUp("Channel admin"),
      groupAdmin: yield* signUp("Group admin"),
      blocked: yield* signUp("Blocked"),
      suspended: yield* suspendedUser,
      owner: yield* signUp("Owner"),
      colleague: yield* signUp("Colleague"),
      peer: yield* signUp("Peer")
    }
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (${world.peer.userId}, ${world.blocked.userId}, now())`
    return world
  }).pipe(Effect.orDie),
  rows
})
