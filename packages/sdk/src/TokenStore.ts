/** The token pair of a signed-in session. */
export interface SessionTokens {
  readonly accessToken: string
  readonly refreshToken: string
  /** ISO-8601; informational, the SDK refreshes when the server answers 401. */
  readonly accessTokenExpiresAt?: string | undefined
}

/**
 * Where the client keeps the session's tokens: memory by default; implement it over `localStorage`,
 * a keychain or a cookie jar to keep a session across restarts. Methods may be async.
 */
export interface TokenStore {
  readonly get: () => SessionTokens | undefined | Promise<SessionTokens | undefined>
  readonly set: (tokens: SessionTokens) => void | Promise<void>
  readonly clear: () => void | Promise<void>
}

/** A store that keeps the tokens in this process only. */
export const memoryTokenStore = (initial?: SessionTokens): TokenStore => {
  let tokens = initial
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next
    },
    clear: () => {
      tokens = undefined
    }
  }
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null

/** The token pair in a signup, login or refresh answer. */
export const tokensFromBody = (body: unknown): SessionTokens | undefined => {
  if (!isRecord(body) || typeof body.accessToken !== "string" || typeof body.refreshToken !== "string") {
    return undefined
  }
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    accessTokenExpiresAt: typeof body.accessTokenExpiresAt === "string" ? body.accessTokenExpiresAt : undefined
  }
}
