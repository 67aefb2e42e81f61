import type { EventStream, EventStreamOptions } from "./EventStream.ts"
import type { operations as table } from "./generated/operations.ts"
import type { operations as schemas } from "./generated/schema.ts"
import type { MoimResult } from "./MoimResult.ts"
import type { RetryOptions } from "./Retry.ts"
import type { TransportError } from "./TransportErrors.ts"

/** Every operation of the API, named `<group>.<name>` as in the OpenAPI document. */
export type OperationId = keyof typeof table & keyof schemas

type Operation<Id extends OperationId> = schemas[Id]

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206

type JsonContent<Response> = Response extends { readonly content: { readonly "application/json": infer Body } }
  ? Body
  : never

type Responses<Id extends OperationId> = Operation<Id>["responses"]

/** The body of a successful answer; undefined for answers without one (204, 202). */
export type OperationData<Id extends OperationId> = {
  [Status in keyof Responses<Id>]: Status extends SuccessStatus
    ? [JsonContent<Responses<Id>[Status]>] extends [never]
      ? undefined
      : JsonContent<Responses<Id>[Status]>
    : never
}[keyof Responses<Id>]

/** The errors the operation declares in the OpenAPI document. */
export type DeclaredError<Id extends OperationId> = {
  [Status in keyof Responses<Id>]: Status extends SuccessStatus ? never : JsonContent<Responses<Id>[Status]>
}[keyof Responses<Id>]

/** Everything a call can fail with, discriminated by `_tag`. */
export type OperationError<Id extends OperationId> = DeclaredError<Id> | TransportError

export type OperationResult<Id extends OperationId> = MoimResult<OperationData<Id>, OperationError<Id>>

type Parameters<Id extends OperationId> = Operation<Id>["parameters"]

type PathParameters<Id extends OperationId> = Parameters<Id> extends { readonly path: infer Path } ? Path : never

type QueryParameters<Id extends OperationId> =
  Parameters<Id> extends { readonly query?: infer Query } ? Exclude<Query, undefined> : never

type RequiredBody<Id extends OperationId> =
  Operation<Id> extends {
    readonly requestBody: { readonly content: { readonly "application/json": infer Body } }
  }
    ? Body
    : never

type OptionalBody<Id extends OperationId> =
  Operation<Id> extends { readonly requestBody?: infer RequestBody }
    ? RequestBody extends { readonly content: { readonly "application/json": infer Body } }
      ? Body
      : never
    : never

type PathInput<Id extends OperationId> = [PathParameters<Id>] extends [never]
  ? {}
  : { readonly path: PathParameters<Id> }

type QueryInput<Id extends OperationId> = [QueryParameters<Id>] extends [never]
  ? {}
  : {} extends QueryParameters<Id>
    ? { readonly query?: QueryParameters<Id> }
    : { readonly query: QueryParameters<Id> }

type BodyInput<Id extends OperationId> = [RequiredBody<Id>] extends [never]
  ? [OptionalBody<Id>] extends [never]
    ? {}
    : { readonly body?: OptionalBody<Id> }
  : { readonly body: RequiredBody<Id> }

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call, its retries and its wait for a token refresh; the call then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Lets a POST or PATCH be retried after 429/503 (so does an `Idempotency-Key` header). */
  readonly idempotent?: boolean | undefined
  /** Overrides the client's retry options for this call; `false` sends it once. */
  readonly retry?: RetryOptions | false | undefined
  /**
   * Edits of groups, posts and events: apply the edit only if the resource is still at this
   * version, the `etag` of your read (or its `version`); otherwise the call fails with
   * `PreconditionFailed` (412) and its `currentVersion`. Sent as `If-Match`.
   */
  readonly ifMatch?: string | number | undefined
}

/** The argument of `client.<group>.<name>(...)`: `path`, `query` and `body` as the operation declares them. */
export type OperationInput<Id extends OperationId> = PathInput<Id> & QueryInput<Id> & BodyInput<Id> & CallOptions

/** Calls the operation. */
export type OperationCall<Id extends OperationId> =
  {} extends OperationInput<Id>
    ? (input?: OperationInput<Id>) => Promise<OperationResult<Id>>
    : (input: OperationInput<Id>) => Promise<OperationResult<Id>>

/** The element type of a paginated operation's `items`. */
export type PageItem<Id extends OperationId> =
  OperationData<Id> extends { readonly items: ReadonlyArray<infer Item> } ? Item : never

/** The input of a paginated operation without `cursor`, which the iteration supplies. */
export type PagedInput<Id extends OperationId> = Omit<OperationInput<Id>, "query"> & {
  readonly query?: Omit<QueryParameters<Id>, "cursor">
}

/** `for await` over a paginated list; a failed page throws a `MoimRequestError` carrying its typed error. */
export interface Paginated<Id extends OperationId> {
  /** Every page, following `nextCursor` until it is null. */
  readonly pages: (input?: PagedInput<Id>) => AsyncGenerator<OperationData<Id>, void, undefined>
  /** Every item of every page. */
  readonly all: (input?: PagedInput<Id>) => AsyncGenerator<PageItem<Id>, void, undefined>
}

/** Opens the operation's event stream: `for await (const message of client.stream.open(...))`. */
export type EventStreamMethod<Id extends OperationId> = (
  input?: Omit<OperationInput<Id>, "idempotent" | "retry" | "ifMatch"> & EventStreamOptions
) => EventStream

export type OperationMethod<Id extends OperationId> = (typeof table)[Id]["events"] extends true
  ? EventStreamMethod<Id>
  : (typeof table)[Id]["paginated"] extends true
    ? OperationCall<Id> & Paginated<Id>
    : OperationCall<Id>

type GroupOf<Id> = Id extends `${infer Group}.${string}` ? Group : never

/** `client.<group>.<name>`, one method per operation, grouped like the API. */
export type Resources = {
  readonly [Group in GroupOf<OperationId>]: {
    readonly [Id in OperationId as Id extends `${Group}.${infer Name}` ? Name : never]: OperationMethod<Id>
  }
}
