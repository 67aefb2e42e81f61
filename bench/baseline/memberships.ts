/**
 * Joining and leaving a group as both baselines do it: the statements Moim runs (`queries.ts`), in
 * one transaction each, in Moim's order, with the same answers. What Moim does after the commit,
 * dropping the group from its Redis cache, has nothing to drop here: the baselines cache nothing.
 */
import { SecureRandom } from "effect/crypto"
import type pg from "pg"
import * as Q from "./queries.ts"

/** An answer other than success, as Moim gives it. */
export interface Failure {
  readonly status: 400 | 403 | 404 | 409
  readonly _tag: string
  readonly message: string
}

const groupNotFound: Failure = { status: 404, _tag: "GroupNotFound", message: "No such group" }

/**
 * Runs `work` between BEGIN and COMMIT on one connection; ROLLBACK when it answers a failure, as
 * Moim's transaction does when its effect fails. A connection whose statement threw is discarded.
 */
const transaction = async (
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<Failure | null>
): Promise<Failure | null> => {
  const client = await pool.connect()
  let broken = true
  try {
    await client.query("BEGIN")
    const failure = await work(client)
    await client.query(failure === null ? "COMMIT" : "ROLLBACK")
    broken = false
    return failure
  } finally {
    client.release(broken)
  }
}

/** `GroupAccess.lock`: the group's row locked, and where the user stands; site admins aside. */
const lock = async (client: pg.PoolClient, groupId: string, userId: string) => {
  const group = (await client.query<Q.GroupRow>({ ...Q.lockGroup, values: [groupId] })).rows[0]
  if (group === undefined) return null
  const standing = (await client.query<Q.StandingRow>({ ...Q.standing, values: [groupId, userId] })).rows[0]
  if (standing === undefined) throw new Error("The standing query answers one row")
  if (group.visibility !== "public" && standing.role === null) return null
  return { group, standing }
}

/** `StreamOutbox.publish`. */
const publish = async (
  client: pg.PoolClient,
  events: ReadonlyArray<{ readonly topic: string; readonly type: string; readonly data: object }>
) => {
  await client.query({
    ...Q.publish,
    values: [
      events.map((event) => event.topic),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data))
    ]
  })
  await client.query(Q.notifyOutbox)
}

/** `JobQueue.enqueue(RefreshRecommendations, { userId })`. */
const refreshRecommendations = (client: pg.PoolClient, userId: string) =>
  client.query({
    ...Q.addJob,
    values: ["RefreshRecommendations", JSON.stringify({ userId }), null, null, 5, null, null]
  })

/** `ChatMembershipChanges.joined`: the new member is in the group's `general` channel, made on first need. */
const joinGeneral = async (client: pg.PoolClient, groupId: string, userId: string) => {
  let general = (await client.query<{ id: string }>({ ...Q.defaultChannel, values: [groupId] })).rows[0]
  if (general === undefined) {
    await client.query({ ...Q.lockChannelNames, values: [`chat-names:${groupId}`] })
    const id = SecureRandom.uuidV7Unsafe()
    const taken = await client.query({ ...Q.channelNameTaken, values: [groupId, "general", null] })
    await client.query({
      ...Q.insertChannel,
      values: [
        id,
        groupId,
        "public",
        taken.rows.length > 0 ? `general-${id.slice(-4)}` : "general",
        "",
        true,
        null,
        null
      ]
    })
    general = (await client.query<{ id: string }>({ ...Q.defaultChannel, values: [groupId] })).rows[0]
  }
  if (general === undefined) throw new Error("A group has no general channel")
  const added = await client.query({ ...Q.addChannelMember, values: [general.id, userId, "member", general.id] })
  if (added.rows.length > 0) {
    await publish(client, [
      { topic: `channel:${general.id}`, type: "chat.member.joined", data: { channelId: general.id, userId } }
    ])
  }
}

/** `Memberships.join` of an open group (or with an invitation): `null` when the user became a member. */
export const joinGroup = (pool: pg.Pool, userId: string, groupId: string) =>
  transaction(pool, async (client) => {
    const locked = await lock(client, groupId, userId)
    if (locked === null) return groupNotFound
    const { group, standing } = locked
    if (standing.banned) return { status: 403, _tag: "BannedFromGroup", message: "You are banned from this group" }
    if (standing.role !== null) return { status: 409, _tag: "AlreadyMember", message: "You are already a member" }
    if (group.join_policy === "invite" && !standing.invited) {
      return { status: 403, _tag: "InvitationRequired", message: "This group takes members by invitation only" }
    }
    if (group.join_policy === "approval" && !standing.invited) {
      // A join request (and the notification job for the admins) is a path the benchmark never takes.
      return { status: 400, _tag: "InvalidRequest", message: "The baseline joins open groups only" }
    }
    const seat = await client.query({ ...Q.reserveSeat, values: [groupId] })
    if (seat.rows.length === 0) return { status: 409, _tag: "GroupFull", message: "This group is full" }
    await client.query({ ...Q.insertMember, values: [groupId, userId, "member"] })
    if (standing.pending) await client.query({ ...Q.deleteJoinRequest, values: [groupId, userId] })
    if (standing.invited) await client.query({ ...Q.acceptInvitation, values: [groupId, userId] })
    await publish(client, [{ topic: `group:${groupId}`, type: "group.memberJoined", data: { groupId, userId } }])
    await joinGeneral(client, groupId, userId)
    await refreshRecommendations(client, userId)
    return null
  })

/** `Memberships.leave`: `null` when the user left (or withdrew a pending request). */
export const leaveGroup = (pool: pg.Pool, userId: string, groupId: string) =>
  transaction(pool, async (client) => {
    const locked = await lock(client, groupId, userId)
    if (locked === null) return groupNotFound
    const { standing } = locked
    if (standing.role === "owner") {
      return {
        status: 409,
        _tag: "OwnerCannotLeave",
        message: "Transfer ownership to another member before leaving"
      }
    }
    if (standing.role === null) {
      const withdrawn = await client.query({ ...Q.deleteJoinRequest, values: [groupId, userId] })
      if (withdrawn.rows.length > 0) return null
      return { status: 404, _tag: "NotAMember", message: "You are not a member of this group" }
    }
    const removed = await client.query({ ...Q.deleteMember, values: [groupId, userId] })
    if (removed.rows.length === 0) return null
    await client.query({ ...Q.releaseSeat, values: [groupId] })
    await publish(client, [
      { topic: `user:${userId}`, type: "access.changed", data: { topic: `group:${groupId}` } },
      { topic: `group:${groupId}`, type: "group.memberLeft", data: { groupId, userId } }
    ])
    const channels = await client.query<{ channel_id: string }>({
      ...Q.removeFromGroupChannels,
      values: [groupId, userId]
    })
    if (channels.rows.length > 0) {
      await publish(
        client,
        channels.rows.flatMap(({ channel_id: channelId }) => [
          { topic: `user:${userId}`, type: "access.changed", data: { topic: `channel:${channelId}` } },
          { topic: `channel:${channelId}`, type: "chat.member.left", data: { channelId, userId } }
        ])
      )
    }
    await client.query({ ...Q.dismissSuggestion, values: [userId, "group", groupId, "left"] })
    await client.query({ ...Q.dropSuggestion, values: [groupId, userId, "group"] })
    await refreshRecommendations(client, userId)
    return null
  })
