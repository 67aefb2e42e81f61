import { type SessionTokens, type TokenStore, tokensFromBody } from "./TokenStore.ts"
import { isTaggedBody } from "./TransportErrors.ts"

/** Reported once when a session can no longer be refreshed; the store has been cleared. */
export interface SessionEnded {
  /** The server's `_tag` for the refused refresh, e.g. `SessionRevoked` or `AccountSuspended`. */
  readonly reason: string
  readonly message: string
}

/** What a caller that was answered 401 should do next. */
export type RefreshOutcome =
  /** New tokens are in the store: send the request again. */
  | { readonly _tag: "Refreshed" }
  /** There is no session any more: the 401 stands. */
  | { readonly _tag: "Ended" }
  /** The refresh itself could not be done now (429, 5xx): answer with that instead. */
  | {
      readonly _tag: "Unavailable"
      readonly status: number
      readonly headers: ReadonlyArray<[string, string]>
      readonly body: string
    }

export interface SessionOptions {
  readonly tokens: TokenStore
  /** Sends `POST /auth/refresh` with this refresh token; undefined when the API has no refresh. */
  readonly refresh: ((refreshToken: string) => Promise<Response>) | undefined
  readonly onEnded: ((event: SessionEnded) => void) | undefined
}

/**
 * Refreshes the token pair on behalf of every call that was answered 401, one refresh at a time:
 * refresh tokens are single-use, and presenting a spent one makes the server end the whole session,
 * so two concurrent refreshes would sign the user out.
 */
export class Session {
  readonly #options: SessionOptions
  #inflight: Promise<RefreshOutcome> | undefined
  /** Counts stored token pairs, so a caller can tell that tokens changed while it waited for the store. */
  #generation = 0

  constructor(options: SessionOptions) {
    this.#options = options
  }

  get = (): Promise<SessionTokens | undefined> => Promise.resolve(this.#options.tokens.get())

  set = async (tokens: SessionTokens): Promise<void> => {
    this.#generation++
    await this.#options.tokens.set(tokens)
  }

  clear = async (): Promise<void> => {
    this.#generation++
    await this.#options.tokens.clear()
  }

  /**
   * Cookie mode, after the page was reloaded: the access token was in memory only, so get a new one
   * from the session cookie. True when there is a session to resume.
   */
  resume = async (): Promise<boolean> => {
    this.#inflight ??= this.#refresh("").finally(() => {
      this.#inflight = undefined
    })
    return (await this.#inflight)._tag === "Refreshed"
  }

  /** Called by a request that sent `staleAccessToken` and was answered 401. */
  refreshAfter = async (staleAccessToken: string): Promise<RefreshOutcome> => {
    if (this.#inflight !== undefined) return this.#inflight
    const generation = this.#generation
    const current = await this.get()
    if (this.#inflight !== undefined) return this.#inflight
    if (this.#generation !== generation) return (await this.get()) === undefined ? ended : refreshed
    if (current === undefined) return ended
    if (current.accessToken !== staleAccessToken) return refreshed
    this.#inflight = this.#refresh(current.refreshToken).finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  async #refresh(refreshToken: string): Promise<RefreshOutcome> {
    const send = this.#options.refresh
    if (send === undefined) return ended
    const response = await send(refreshToken)
    const text = await response.text()
    const body = parseJson(text)
    const tokens = response.ok ? tokensFromBody(body) : undefined
    if (tokens !== undefined) {
      await this.set(tokens)
      return refreshed
    }
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      await this.clear()
      this.#options.onEnded?.(
        isTaggedBody(body)
          ? { reason: body._tag, message: body.message }
          : { reason: "Unauthorized", message: `The refresh was refused with HTTP ${response.status}` }
      )
      return ended
    }
    return { _tag: "Unavailable", status: response.status, headers: [...response.headers], body: text }
  }
}

const refreshed: RefreshOutcome = { _tag: "Refreshed" }
const ended: RefreshOutcome = { _tag: "Ended" }

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
