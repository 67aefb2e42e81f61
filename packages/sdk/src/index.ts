export type { CacheOptions } from "./EtagCache.ts"
export type { EventStream, EventStreamOptions, StreamMessage } from "./EventStream.ts"
export type { components, operations, paths } from "./generated/schema.ts"
export type { Credentials, MoimClient, MoimClientOptions, SessionControl } from "./MoimClient.ts"
export { createMoimClient } from "./MoimClient.ts"
export { MoimRequestError } from "./MoimRequestError.ts"
export type { MoimResult } from "./MoimResult.ts"
export type {
  CallOptions,
  DeclaredError,
  OperationData,
  OperationError,
  OperationId,
  OperationInput,
  OperationResult,
  PageItem,
  Resources
} from "./OperationTypes.ts"
export type { RetryOptions } from "./Retry.ts"
export type { SessionEnded } from "./Session.ts"
export type { SessionCookieOptions } from "./SessionCookies.ts"
export type { SessionTokens, TokenStore } from "./TokenStore.ts"
export { memoryTokenStore } from "./TokenStore.ts"
export type { NetworkError, RateLimited, TransportError, UnexpectedResponse } from "./TransportErrors.ts"

import type { components } from "./generated/schema.ts"

/** The API's named schemas, e.g. `Schemas["User"]`. */
export type Schemas = components["schemas"]
