import { Layer } from "effect"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { AccessTokens } from "./AccessTokens.ts"
import { AccountAdmin } from "./AccountAdmin.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { EmailTokensRepo } from "./EmailTokensRepo.ts"
import { Passwords } from "./Passwords.ts"
import { Profiles } from "./Profiles.ts"
import { Sessions } from "./Sessions.ts"
import { SessionsRepo } from "./SessionsRepo.ts"
import { UsersRepo } from "./UsersRepo.ts"
import { UserViews } from "./UserViews.ts"
import { Verification } from "./Verification.ts"

/**
 * The accounts feature's services, on the platform. It needs `EmailOwnership` from the features that
 * take what is addressed to an email (groups' invitations), or `EmailOwnership.none`.
 */
export const AccountsLive = Layer.mergeAll(Sessions.layer, Profiles.layer, AccountAdmin.layer).pipe(
  Layer.provideMerge(Verification.layer),
  Layer.provide([UsersRepo.layer, SessionsRepo.layer, EmailTokensRepo.layer]),
  Layer.provide([Passwords.layer, AccessTokens.layer, UserViews.layer]),
  Layer.provide(ImageUploads.layer),
  Layer.provide(AccountsConfig.layer)
)
