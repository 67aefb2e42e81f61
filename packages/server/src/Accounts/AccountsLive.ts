import { Layer } from "effect"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { AccessTokens } from "./AccessTokens.ts"
import { AccountRateLimits } from "./AccountRateLimits.ts"
import { Accounts } from "./Accounts.ts"
import { AccountsConfig } from "./AccountsConfig.ts"
import { AccountsRepo } from "./AccountsRepo.ts"
import { Passwords } from "./Passwords.ts"

/** The accounts feature's services, on the platform (database, storage, job queue, rate limiter). */
export const AccountsLive = Layer.mergeAll(Accounts.layer, AccountRateLimits.layer).pipe(
  Layer.provide([AccountsRepo.layer, Passwords.layer, AccessTokens.layer, ImageUploads.layer]),
  Layer.provideMerge(AccountsConfig.layer)
)
