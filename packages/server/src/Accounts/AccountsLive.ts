import { Layer } from "effect"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { AccessTokens } from "./AccessTokens.ts"
import { AccountAdmin } from "./AccountAdmin.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { BreachedPasswords } from "./BreachedPasswords.ts"
import { EmailTokensRepo } from "./EmailTokensRepo.ts"
import { OidcFlowsRepo } from "./OidcFlowsRepo.ts"
import { OidcIdentitiesRepo } from "./OidcIdentitiesRepo.ts"
import { OidcProviders } from "./OidcProviders.ts"
import { OidcSignIn } from "./OidcSignIn.ts"
import { Passwords } from "./Passwords.ts"
import { PhoneCodes } from "./PhoneCodes.ts"
import { PhoneCodesRepo } from "./PhoneCodesRepo.ts"
import { PhoneDirectory } from "./PhoneDirectory.ts"
import { PhoneNumbers } from "./PhoneNumbers.ts"
import { PhoneNumbersRepo } from "./PhoneNumbersRepo.ts"
import { PhoneSignIn } from "./PhoneSignIn.ts"
import { Profiles } from "./Profiles.ts"
import { SessionCache } from "./SessionCache.ts"
import { SessionCookies } from "./SessionCookies.ts"
import { Sessions } from "./Sessions.ts"
import { SessionsRepo } from "./SessionsRepo.ts"
import { TwoFactor } from "./TwoFactor.ts"
import { TwoFactorRepo } from "./TwoFactorRepo.ts"
import { UsersRepo } from "./UsersRepo.ts"
import { UserViews } from "./UserViews.ts"
import { Verification } from "./Verification.ts"

/**
 * The accounts feature's services, on the platform. It needs `EmailOwnership` from the features that
 * take what is addressed to an email (groups' invitations), or `EmailOwnership.none`; `PhoneOwnership`
 * tells nobody unless a feature provides it.
 */
export const AccountsLive = Layer.mergeAll(PhoneSignIn.layer, PhoneNumbers.layer, OidcSignIn.layer).pipe(
  Layer.provide(PhoneCodes.layer),
  Layer.provideMerge(
    Layer.mergeAll(Sessions.layer, Profiles.layer, AccountAdmin.layer, PhoneDirectory.layer, SessionCookies.layer)
  ),
  Layer.provideMerge(Layer.mergeAll(Verification.layer, TwoFactor.layer)),
  Layer.provide([
    UsersRepo.layer,
    SessionsRepo.layer,
    EmailTokensRepo.layer,
    PhoneNumbersRepo.layer,
    PhoneCodesRepo.layer,
    TwoFactorRepo.layer,
    OidcIdentitiesRepo.layer,
    OidcFlowsRepo.layer
  ]),
  Layer.provide([
    OidcProviders.layer,
    Passwords.layer,
    BreachedPasswords.layer,
    AccessTokens.layer,
    UserViews.layer,
    SessionCache.layer
  ]),
  Layer.provide(ImageUploads.layer),
  Layer.provide(AccountsConfig.layer)
)
