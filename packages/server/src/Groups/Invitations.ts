import { type UserId, UserNotFound } from "@moim/domain/Accounts/User"
import {
  AlreadyInvited,
  AlreadyMember,
  BannedFromGroup,
  type GroupFull,
  type GroupId,
  type GroupMember,
  type GroupNotFound,
  type Invitation,
  InvitationId,
  InvitationNotFound
} from "@moim/domain/Groups/Group"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import type { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { Context, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { AppConfig } from "../platform/AppConfig.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Transaction } from "../platform/Transaction.ts"
import { GroupAccess } from "./GroupAccess.ts"
import { GroupCache } from "./GroupCache.ts"
import { GroupEvents } from "./GroupNotifier.ts"
import { GroupViews } from "./GroupViews.ts"
import { InvitationsRepo } from "./InvitationsRepo.ts"
import { Memberships } from "./Memberships.ts"
import { MembershipsRepo } from "./MembershipsRepo.ts"

type SignedIn = CurrentUser["Service"]

const invitationDays = 14

/**
 * Invitations into a group, by user or by email address. An invitation lets its invitee in whatever
 * the join policy; one sent to an address reaches the account that proves it owns the address.
 */
export class Invitations extends Context.Service<
  Invitations,
  {
    readonly invite: (
      user: SignedIn,
      groupId: GroupId,
      target: { readonly userId: UserId } | { readonly email: string }
    ) => Effect.Effect<
      Invitation,
      GroupNotFound | Forbidden | UserNotFound | AlreadyMember | AlreadyInvited | BannedFromGroup
    >
    readonly listForGroup: (
      user: SignedIn,
      groupId: GroupId,
      query: PageQuery
    ) => Effect.Effect<Page<Invitation>, GroupNotFound | Forbidden | InvalidCursor>
    readonly revoke: (
      user: SignedIn,
      groupId: GroupId,
      invitationId: InvitationId
    ) => Effect.Effect<void, GroupNotFound | Forbidden | InvitationNotFound>
    /** Pending, unexpired invitations addressed to the user, newest first. */
    readonly mine: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Invitation>, InvalidCursor>
    readonly accept: (
      user: SignedIn,
      invitationId: InvitationId
    ) => Effect.Effect<GroupMember, InvitationNotFound | GroupFull | BannedFromGroup | AlreadyMember>
    readonly decline: (user: SignedIn, invitationId: InvitationId) => Effect.Effect<void, InvitationNotFound>
  }
>()("@moim/server/Groups/Invitations") {
  static readonly layer = Layer.effect(
    Invitations,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* InvitationsRepo
      const members = yield* MembershipsRepo
      const memberships = yield* Memberships
      const access = yield* GroupAccess
      const cache = yield* GroupCache
      const views = yield* GroupViews
      const profiles = yield* Profiles
      const blocks = yield* Blocks
      const jobs = yield* JobQueue
      const cursors = yield* Cursors
      const record = yield* GroupEvents.make
      const { appUrl } = yield* AppConfig

      const page = Effect.fn("Invitations.page")(function* (
        scope: string,
        filter: { readonly groupId?: GroupId; readonly inviteeId?: UserId },
        query: PageQuery
      ) {
        const limit = query.limit ?? defaultPageSize
        const after = yield* cursors.decode(TimePosition, scope, query.cursor)
        const rows = yield* repo.list({ ...filter, limit: limit + 1, after })
        return cursors.page(scope, rows, limit, views.invitation, (row) => ({
          at: row.createdAt.toISOString(),
          id: row.id
        }))
      })

      return Invitations.of({
        invite: Effect.fn("Invitations.invite")(function* (user, groupId, target) {
          return yield* transaction(
            Effect.gen(function* () {
              const { group } = yield* access.require(groupId, Actor.of(user), "moderate")
              const inviteeId =
                "userId" in target
                  ? Option.some(
                      yield* Effect.flatMap(profiles.findActive(target.userId), (found) =>
                        Option.isNone(found)
                          ? Effect.fail(new UserNotFound({ message: "No such user" }))
                          : Effect.succeed(found.value)
                      )
                    )
                  : yield* profiles.findActiveByEmail(target.email)
              if (Option.isSome(inviteeId)) {
                // Between people of whom either blocked the other there are no invitations.
                if (yield* blocks.between(user.userId, inviteeId.value)) {
                  return yield* new UserNotFound({ message: "No such user" })
                }
                const standing = yield* access.standing(groupId, inviteeId.value)
                if (standing.banned)
                  return yield* new BannedFromGroup({ message: "This user is banned from the group" })
                if (standing.role !== null)
                  return yield* new AlreadyMember({ message: "This user is already a member" })
              }
              const email = "email" in target && Option.isNone(inviteeId) ? target.email : null
              const row = yield* repo.insert({
                id: InvitationId.make(SecureRandom.uuidV7Unsafe()),
                groupId,
                inviterId: user.userId,
                inviteeId: Option.getOrNull(inviteeId),
                email,
                expiresInDays: invitationDays
              })
              if (Option.isNone(row)) return yield* new AlreadyInvited({ message: "An invitation is already pending" })
              if (Option.isSome(inviteeId)) {
                yield* record({
                  _tag: "Invited",
                  groupId,
                  invitationId: row.value.id,
                  userId: inviteeId.value,
                  by: user.userId
                })
              }
              if ("email" in target) {
                const link =
                  email === null
                    ? `${appUrl}/invitations/${row.value.id}`
                    : `${appUrl}/signup?invitation=${row.value.id}`
                yield* jobs.enqueue(SendEmail, {
                  to: target.email,
                  subject: `You are invited to ${group.name} on Moim`,
                  text:
                    email === null
                      ? `You have been invited to join "${group.name}" on Moim. Open this link to accept or decline:\n${link}\n`
                      : `You have been invited to join "${group.name}" on Moim. Create your account with this email address and confirm it, and the invitation will be waiting for you:\n${link}\n`
                })
              }
              return views.invitation(row.value)
            })
          )
        }),

        listForGroup: Effect.fn("Invitations.listForGroup")(function* (user, groupId, query) {
          yield* access.check(groupId, Actor.of(user), "moderate")
          return yield* page(`invitations:${groupId}:`, { groupId }, query)
        }),

        revoke: Effect.fn("Invitations.revoke")(function* (user, groupId, invitationId) {
          yield* transaction(
            Effect.gen(function* () {
              yield* access.require(groupId, Actor.of(user), "moderate")
              const invitation = yield* repo.find(invitationId)
              if (
                Option.isNone(invitation) ||
                invitation.value.groupId !== groupId ||
                !(yield* repo.respond(invitationId, "revoked"))
              ) {
                return yield* new InvitationNotFound({ message: "No pending invitation with this id in this group" })
              }
            })
          )
        }),

        mine: (user, query) => page(`invitations::${user.userId}`, { inviteeId: user.userId }, query),

        accept: Effect.fn("Invitations.accept")(function* (user, invitationId) {
          const groupId = yield* transaction(
            Effect.gen(function* () {
              const invitation = yield* repo.findPendingFor(invitationId, user.userId)
              if (Option.isNone(invitation)) {
                return yield* new InvitationNotFound({ message: "No pending invitation with this id for you" })
              }
              const groupId = invitation.value.groupId
              const { standing } = yield* access
                .lockAsInvitee(groupId, Actor.of(user))
                .pipe(
                  Effect.catchTag("GroupNotFound", () =>
                    Effect.fail(new InvitationNotFound({ message: "The group no longer exists" }))
                  )
                )
              if (standing.banned) return yield* new BannedFromGroup({ message: "You are banned from this group" })
              if (standing.role !== null) return yield* new AlreadyMember({ message: "You are already a member" })
              yield* memberships.admit(groupId, user.userId, standing)
              yield* record({
                _tag: "InvitationAccepted",
                groupId,
                invitationId,
                inviterId: invitation.value.inviterId,
                by: user.userId
              })
              return groupId
            })
          )
          yield* cache.invalidate(groupId)
          const member = yield* members.findMember(groupId, user.userId)
          const [view] = Option.isNone(member) ? [] : yield* views.members([member.value])
          if (view === undefined) return yield* Effect.die(new Error("The member just admitted was not found"))
          return view
        }),

        decline: Effect.fn("Invitations.decline")(function* (user, invitationId) {
          const invitation = yield* repo.findPendingFor(invitationId, user.userId)
          if (Option.isNone(invitation) || !(yield* repo.respond(invitationId, "declined"))) {
            return yield* new InvitationNotFound({ message: "No pending invitation with this id for you" })
          }
        })
      })
    })
  )
}
