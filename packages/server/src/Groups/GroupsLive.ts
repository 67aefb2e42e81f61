import { Layer } from "effect"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { GroupAccess } from "./GroupAccess.ts"
import { GroupCache } from "./GroupCache.ts"
import { GroupNotifier } from "./GroupNotifier.ts"
import { Groups } from "./Groups.ts"
import { GroupsRepo } from "./GroupsRepo.ts"
import { GroupViews } from "./GroupViews.ts"
import { Invitations } from "./Invitations.ts"
import { InvitationsEmailOwnership } from "./InvitationsEmailOwnership.ts"
import { InvitationsRepo } from "./InvitationsRepo.ts"
import { Memberships } from "./Memberships.ts"
import { MembershipsRepo } from "./MembershipsRepo.ts"

const Repos = Layer.mergeAll(GroupsRepo.layer, MembershipsRepo.layer, InvitationsRepo.layer)

/**
 * The groups feature's services (and `GroupAccess` for the features inside groups), on the platform
 * and the accounts services (`Profiles`).
 */
export const GroupsLive = Layer.mergeAll(Groups.layer, Invitations.layer).pipe(
  Layer.provideMerge(Memberships.layer),
  Layer.provideMerge(GroupAccess.layer),
  Layer.provide([GroupViews.layer, GroupCache.layer]),
  Layer.provide(Repos),
  Layer.provide(ImageUploads.layer)
)

/** What groups give the accounts feature: invitations sent to an email reach whoever proves it. */
export const GroupsEmailOwnership = InvitationsEmailOwnership.pipe(Layer.provide(InvitationsRepo.layer))

/** Who hears of group events (for the worker), on the notifications feature's `Notifications`. */
export const GroupNotifierLive = GroupNotifier.layer.pipe(Layer.provide(Repos))
