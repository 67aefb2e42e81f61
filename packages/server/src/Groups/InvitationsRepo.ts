import { UserId } from "@moim/domain/Accounts/User"
import { GroupId, InvitationId } from "@moim/domain/Groups/Group"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { TimePosition } from "../platform/Cursors.ts"
import { Rows } from "../platform/Rows.ts"

/** An invitation, with the name of its group (read beside it, from the same feature's `groups`). */
export const InvitationRow = Schema.Struct({
  id: InvitationId,
  groupId: GroupId,
  groupName: Schema.String,
  inviterId: UserId,
  inviteeId: Schema.NullOr(UserId),
  email: Schema.NullOr(Schema.String),
  status: Schema.Literals(["pending", "accepted", "declined", "revoked"]),
  createdAt: Schema.Date,
  expiresAt: Schema.Date
})
export type InvitationRow = typeof InvitationRow.Type

const decodeInvitation = Rows.first(InvitationRow)
const decodeInvitations = Rows.all(InvitationRow)

const InvitationState = Schema.Struct({
  id: InvitationId,
  groupId: GroupId,
  open: Schema.Boolean,
  accepted: Schema.Boolean
})
export type InvitationState = typeof InvitationState.Type
const decodeStates = Rows.all(InvitationState)
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const columns = `i.id, i.group_id, g.name AS group_name, i.inviter_id, i.invitee_id, i.email, i.status, i.created_at,
  i.expires_at`

/**
 * The `group_invitations` table. An invitation goes to a user, or to an email address until an
 * account proves it owns the address. Expired invitations no longer count as pending anywhere.
 */
export class InvitationsRepo extends Context.Service<
  InvitationsRepo,
  {
    /** None when a pending invitation for the same person already exists. */
    readonly insert: (invitation: {
      readonly id: InvitationId
      readonly groupId: GroupId
      readonly inviterId: UserId
      readonly inviteeId: UserId | null
      readonly email: string | null
      readonly expiresInDays: number
    }) => Effect.Effect<Option.Option<InvitationRow>>
    readonly find: (id: InvitationId) => Effect.Effect<Option.Option<InvitationRow>>
    /** The invitation, if it is pending, unexpired and for this user. */
    readonly findPendingFor: (id: InvitationId, userId: UserId) => Effect.Effect<Option.Option<InvitationRow>>
    /** Those of `ids` addressed to the user, in groups that exist: whether each is open (pending, unexpired) or accepted. */
    readonly stateFor: (ids: ReadonlyArray<string>, userId: UserId) => Effect.Effect<ReadonlyArray<InvitationState>>
    /** Ends a pending invitation; false when it was not pending. */
    readonly respond: (id: InvitationId, status: "accepted" | "declined" | "revoked") => Effect.Effect<boolean>
    /** The user's pending invitation to the group, if any, is accepted (they joined). */
    readonly acceptFor: (groupId: GroupId, userId: UserId) => Effect.Effect<void>
    /** Every pending invitation of the user to the group is revoked (they were banned). */
    readonly revokeFor: (groupId: GroupId, userId: UserId) => Effect.Effect<void>
    /** Every pending invitation to the group is revoked (it was deleted). */
    readonly revokeAll: (groupId: GroupId) => Effect.Effect<void>
    /** Pending invitations to an email address become the user's, unless they already have one to that group. */
    readonly claimEmail: (userId: UserId, email: string) => Effect.Effect<void>
    /** Pending invitations of a group or of a user, newest first. */
    readonly list: (options: {
      readonly groupId?: GroupId | undefined
      readonly inviteeId?: UserId | undefined
      readonly limit: number
      readonly after: TimePosition | null
    }) => Effect.Effect<ReadonlyArray<InvitationRow>>
  }
>()("@moim/server/Groups/InvitationsRepo") {
  static readonly layer = Layer.effect(
    InvitationsRepo,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const invitationColumns = sql.literal(columns)

      const find = Effect.fn("InvitationsRepo.find")(function* (id: InvitationId) {
        return yield* sql`
          SELECT ${invitationColumns} FROM group_invitations i JOIN groups g ON g.id = i.group_id
          WHERE i.id = ${id} AND g.deleted_at IS NULL`.pipe(Effect.flatMap(decodeInvitation))
      }, Effect.orDie)

      return InvitationsRepo.of({
        insert: Effect.fn("InvitationsRepo.insert")(function* (invitation) {
          const inserted = yield* sql`
            INSERT INTO group_invitations (id, group_id, inviter_id, invitee_id, email, status, created_at, expires_at)
            VALUES (${invitation.id}, ${invitation.groupId}, ${invitation.inviterId}, ${invitation.inviteeId},
              ${invitation.email}, 'pending', now(), now() + make_interval(days => ${invitation.expiresInDays}))
            ON CONFLICT DO NOTHING RETURNING id`
          if (inserted.length === 0) return Option.none<InvitationRow>()
          return yield* find(invitation.id)
        }, Effect.orDie),

        find,

        findPendingFor: Effect.fn("InvitationsRepo.findPendingFor")(function* (id, userId) {
          return yield* sql`
            SELECT ${invitationColumns} FROM group_invitations i JOIN groups g ON g.id = i.group_id
            WHERE i.id = ${id} AND i.invitee_id = ${userId} AND i.status = 'pending' AND i.expires_at > now()
              AND g.deleted_at IS NULL`.pipe(Effect.flatMap(decodeInvitation))
        }, Effect.orDie),

        stateFor: Effect.fn("InvitationsRepo.stateFor")(function* (ids, userId) {
          const valid = ids.filter((id) => uuidPattern.test(id))
          if (valid.length === 0) return []
          return yield* sql`
            SELECT i.id, i.group_id, (i.status = 'pending' AND i.expires_at > now()) AS open, i.status = 'accepted' AS accepted
            FROM group_invitations i JOIN groups g ON g.id = i.group_id
            WHERE i.id = ANY(${valid}::uuid[]) AND i.invitee_id = ${userId} AND g.deleted_at IS NULL`.pipe(
            Effect.flatMap(decodeStates)
          )
        }, Effect.orDie),

        respond: Effect.fn("InvitationsRepo.respond")(function* (id, status) {
          const rows = yield* sql`
            UPDATE group_invitations SET status = ${status}, responded_at = now()
            WHERE id = ${id} AND status = 'pending' RETURNING id`
          return rows.length > 0
        }, Effect.orDie),

        acceptFor: Effect.fn("InvitationsRepo.acceptFor")(function* (groupId, userId) {
          yield* sql`
            UPDATE group_invitations SET status = 'accepted', responded_at = now()
            WHERE group_id = ${groupId} AND invitee_id = ${userId} AND status = 'pending'`
        }, Effect.orDie),

        revokeFor: Effect.fn("InvitationsRepo.revokeFor")(function* (groupId, userId) {
          yield* sql`
            UPDATE group_invitations SET status = 'revoked', responded_at = now()
            WHERE group_id = ${groupId} AND invitee_id = ${userId} AND status = 'pending'`
        }, Effect.orDie),

        revokeAll: Effect.fn("InvitationsRepo.revokeAll")(function* (groupId) {
          yield* sql`
            UPDATE group_invitations SET status = 'revoked', responded_at = now()
            WHERE group_id = ${groupId} AND status = 'pending'`
        }, Effect.orDie),

        claimEmail: Effect.fn("InvitationsRepo.claimEmail")(function* (userId, email) {
          yield* sql`
            UPDATE group_invitations i SET invitee_id = ${userId}
            WHERE i.email = ${email} AND i.invitee_id IS NULL AND i.status = 'pending'
              AND NOT EXISTS (
                SELECT 1 FROM group_invitations o
                WHERE o.group_id = i.group_id AND o.invitee_id = ${userId} AND o.status = 'pending'
              )`
        }, Effect.orDie),

        list: Effect.fn("InvitationsRepo.list")(function* (options) {
          const after = options.after
          return yield* sql`
            SELECT ${invitationColumns} FROM group_invitations i JOIN groups g ON g.id = i.group_id
            WHERE i.status = 'pending' AND i.expires_at > now() AND g.deleted_at IS NULL
              AND ${options.groupId === undefined ? sql`true` : sql`i.group_id = ${options.groupId}`}
              AND ${options.inviteeId === undefined ? sql`true` : sql`i.invitee_id = ${options.inviteeId}`}
              AND ${after === null ? sql`true` : sql`(i.created_at, i.id) < (${after.at}::timestamptz, ${after.id}::uuid)`}
            ORDER BY i.created_at DESC, i.id DESC LIMIT ${options.limit}`.pipe(Effect.flatMap(decodeInvitations))
        }, Effect.orDie)
      })
    })
  )
}
