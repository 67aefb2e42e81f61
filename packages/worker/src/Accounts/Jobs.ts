import { PurgeExpiredCredentialsHandler } from "./PurgeExpiredCredentials.ts"

/** The accounts feature's jobs: the cleanup of ended sessions and expired tokens and codes. */
export const AccountsJobs = [PurgeExpiredCredentialsHandler] as const
