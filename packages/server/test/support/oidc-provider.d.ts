/**
 * The few parts of `oidc-provider` (v9, which ships no types) the tests use: a provider on a Node
 * HTTP server, its interaction API and grants.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http"

  export interface Account {
    readonly accountId: string
    readonly claims: (use: string, scope: string) => Promise<Record<string, unknown>> | Record<string, unknown>
  }

  export interface Configuration {
    readonly clients?: ReadonlyArray<Record<string, unknown>>
    readonly jwks?: { readonly keys: ReadonlyArray<Record<string, unknown>> }
    readonly findAccount?: (context: unknown, sub: string) => Promise<Account | undefined>
    readonly claims?: Record<string, ReadonlyArray<string>>
    readonly features?: Record<string, { readonly enabled: boolean }>
    readonly conformIdTokenClaims?: boolean
    readonly cookies?: { readonly keys: ReadonlyArray<string> }
    /** Lifetimes in seconds, by artifact (`Interaction`, `Grant`, `Session`, `AccessToken`, `IdToken`, ...). */
    readonly ttl?: Record<string, number>
  }

  export interface InteractionDetails {
    readonly uid: string
    readonly prompt: { readonly name: string }
    readonly params: Record<string, unknown>
  }

  export class Grant {
    constructor(properties: { readonly accountId: string; readonly clientId: string })
    addOIDCScope(scope: string): void
    addOIDCClaims(claims: ReadonlyArray<string>): void
    save(): Promise<string>
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration)
    readonly Grant: typeof Grant
    callback(): (request: IncomingMessage, response: ServerResponse) => void
    interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<InteractionDetails>
    interactionFinished(
      request: IncomingMessage,
      response: ServerResponse,
      result: Record<string, unknown>,
      options?: { readonly mergeWithLastSubmission?: boolean }
    ): Promise<void>
    on(event: string, listener: (...args: ReadonlyArray<unknown>) => void): this
  }

  export default Provider
}
