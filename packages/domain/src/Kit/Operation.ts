import { type Context, Schema } from "effect"
import { type HttpApiEndpoint, HttpApiGroup, type HttpApiMiddleware, HttpApiSchema, OpenApi } from "effect/http-api"
import { Rpc, RpcGroup, type RpcMiddleware } from "effect/rpc"
import {
  Authentication,
  OpenAccess,
  OptionalAuthentication,
  PublicRateLimit,
  RpcAuthentication,
  RpcOpenAccess,
  RpcOptionalAuthentication,
  RpcPublicRateLimit
} from "./Authentication.ts"
import { EditVersion, IfMatch, PreconditionFailed } from "./ConditionalRequests.ts"
import { RpcRequestValidation } from "./InvalidRequest.ts"

/** Who may call an operation: the middleware both surfaces run before its handler. */
export interface Access<HI extends HttpApiMiddleware.AnyId, HS, RM extends RpcMiddleware.AnyService> {
  readonly name: "signedIn" | "anyone" | "public" | "open"
  readonly http: Context.Key<HI, HS>
  readonly rpc: RM
}

const access = <HI extends HttpApiMiddleware.AnyId, HS, RM extends RpcMiddleware.AnyService>(
  name: Access<HI, HS, RM>["name"],
  http: Context.Key<HI, HS>,
  rpc: RM
): Access<HI, HS, RM> => ({ name, http, rpc })

/**
 * The three ways in. Every operation names one, and both surfaces get their middleware from it, so
 * authentication and rate limits cannot differ between REST and RPC.
 */
export const Access = {
  /** A signed-in user (`CurrentUser`); the per-user rate limit. */
  signedIn: access("signedIn", Authentication, RpcAuthentication),
  /** Anyone (`CurrentViewer`); a token, if sent, must be valid. Limited per user, or per address. */
  anyone: access("anyone", OptionalAuthentication, RpcOptionalAuthentication),
  /** Anyone, and no token is read (signing up or in); the per-address rate limit. */
  public: access("public", PublicRateLimit, RpcPublicRateLimit),
  /** Anyone, no token read, no rate limit: only for answers served from memory (the server's version). */
  open: access("open", OpenAccess, RpcOpenAccess)
}

/**
 * An operation's body. `fields`: a struct whose fields join the RPC payload beside the path and
 * query parameters; `optional: true` lets REST clients leave the body out. `named`: a value that is
 * not a struct (a union), carried in the RPC payload under `name`.
 */
export type Body =
  | { readonly _tag: "Fields"; readonly schema: Schema.Struct<Schema.Struct.Fields>; readonly optional: boolean }
  | { readonly _tag: "Named"; readonly name: string; readonly schema: Schema.Top }

export const body = <F extends Schema.Struct.Fields>(schema: Schema.Struct<F>) => ({
  _tag: "Fields" as const,
  schema,
  optional: false as const
})

export const optionalBody = <F extends Schema.Struct.Fields>(schema: Schema.Struct<F>) => ({
  _tag: "Fields" as const,
  schema,
  optional: true as const
})

export const namedBody = <const Name extends string, S extends Schema.Top>(name: Name, schema: S) => ({
  _tag: "Named" as const,
  name,
  schema
})

type NoFields = {}

type FieldsOf<F> = F extends Schema.Struct.Fields ? F : NoFields

/** The field an update with `ifMatch` adds to its input: the edit version the caller saw. */
export type ExpectedVersionField = {
  readonly expectedVersion: Schema.optional<typeof EditVersion>
}

type PreconditionFields<IM> = IM extends true ? ExpectedVersionField : NoFields

/** The RPC payload: the fields of the parameters and the body, or nothing at all when there are none. */
export type RpcPayload<Params, Query, B, IM = false> = [
  keyof (FieldsOf<Params> & FieldsOf<Query> & BodyFields<B> & PreconditionFields<IM>)
] extends [never]
  ? typeof Schema.Void
  : FieldsOf<Params> & FieldsOf<Query> & BodyFields<B> & PreconditionFields<IM>

/** The fields a body adds to the RPC payload (and to the handler's input). */
export type BodyFields<B> = B extends { readonly _tag: "Fields"; readonly schema: Schema.Struct<infer F> }
  ? F
  : B extends { readonly _tag: "Named"; readonly name: infer N extends string; readonly schema: infer S }
    ? { readonly [K in N]: S }
    : NoFields

/** What HttpApi is given as the payload: the struct, `[struct, null]` when optional, or the named value. */
export type RestPayload<B> = B extends { readonly _tag: "Fields"; readonly schema: infer S; readonly optional: true }
  ? readonly [S, typeof Schema.Null]
  : B extends { readonly schema: infer S }
    ? S
    : undefined

export interface OperationSpec<
  Tag extends string,
  HI extends HttpApiMiddleware.AnyId,
  HS,
  RM extends RpcMiddleware.AnyService,
  Params extends Schema.Struct.Fields | undefined,
  Query extends Schema.Struct.Fields | undefined,
  B extends Body | undefined,
  Success extends Schema.Top | undefined,
  Errors extends ReadonlyArray<Schema.Top>,
  IM extends boolean = false
> {
  /** The RPC's tag, e.g. `GetGroup`. */
  readonly rpc: Tag
  readonly access: Access<HI, HS, RM>
  readonly params?: Params
  readonly query?: Query
  readonly body?: B
  /** The success value; none for `204 No Content`. */
  readonly success?: Success
  /** The status of a success with a body, when not 200 (201 for a creation). */
  readonly status?: 201 | 202
  readonly errors: Errors
  /**
   * The success carries the resource's edit `version`: REST's `ETag` then starts with it, so the
   * tag a client read can be sent back in `If-Match`.
   */
  readonly versioned?: Success extends Schema.Top
    ? Success["Type"] extends { readonly version: number }
      ? true
      : never
    : never
  /**
   * An edit that may be made conditional (optimistic concurrency): REST takes `If-Match`, RPC an
   * `expectedVersion` field, and the handler's input has `expectedVersion` from either; a stale
   * version fails with `PreconditionFailed` (412), which `errors` must list.
   */
  readonly ifMatch?: IM
  /** One line for the docs page and the SDK. */
  readonly summary: string
  readonly description: string
}

/** The parts HttpApiEndpoint is given: only those the operation has, so absent ones stay `never`. */
export type RestOptions<Params, Query, B, Success, Errors, IM = false> = (Params extends undefined
  ? {}
  : { readonly params: Params }) &
  (Query extends undefined ? {} : { readonly query: Query }) &
  (IM extends true ? { readonly headers: IfMatchHeaders } : {}) &
  (B extends undefined ? {} : { readonly payload: RestPayload<B> }) &
  (Success extends undefined ? {} : { readonly success: Success }) & { readonly error: Errors }

/** The request headers of an update with `ifMatch`. */
export type IfMatchHeaders = {
  readonly "if-match": Schema.optional<typeof IfMatch>
}

/** What the REST side is built from: exactly the spec's parts, in HttpApiEndpoint's shape. */
export interface RestParts<Params, Query, B, Success, Errors, HI extends HttpApiMiddleware.AnyId, HS, IM = false> {
  readonly options: RestOptions<Params, Query, B, Success, Errors, IM>
  readonly middleware: Context.Key<HI, HS>
}

/** An operation: its REST endpoint and its RPC, from one declaration. */
export interface Operation<Endpoint extends HttpApiEndpoint.Top, R extends Rpc.Any> {
  readonly endpoint: Endpoint
  readonly rpc: R
  readonly access: Access<HttpApiMiddleware.AnyId, unknown, RpcMiddleware.AnyService>["name"]
  readonly body: Body | undefined
  /** False when the operation takes no parameters and no body: its RPC payload is void. */
  readonly hasInput: boolean
  /** The success carries an edit `version` for the REST `ETag`. */
  readonly versioned: boolean
  /** REST's `If-Match` header becomes the input's `expectedVersion`. */
  readonly ifMatch: boolean
}

export type Any = Operation<HttpApiEndpoint.Top, Rpc.Any>

const restPayloadOf = (body: Body | undefined): Schema.Top | readonly [Schema.Top, Schema.Top] | undefined =>
  body === undefined ? undefined : body._tag === "Fields" && body.optional ? [body.schema, Schema.Null] : body.schema

const bodyFieldsOf = (body: Body | undefined): Schema.Struct.Fields =>
  body === undefined ? {} : body._tag === "Fields" ? body.schema.fields : { [body.name]: body.schema }

/**
 * Declares one operation once. The spec holds everything both surfaces share: parameters, body,
 * success, errors, access and documentation. `rest` turns it into the HTTP endpoint and adds only
 * what REST alone has, its method and path:
 *
 * ```ts
 * export const GetGroup = Operation.make(
 *   { rpc: "GetGroup", access: Access.anyone, params: { id: GroupId }, success: Group, errors: [GroupNotFound], ... },
 *   (rest) => HttpApiEndpoint.get("get", "/groups/:id", rest.options).middleware(rest.middleware)
 * )
 * ```
 *
 * The RPC's payload is the path parameters, the query parameters and the body's fields in one
 * struct: the same value the operation's one handler receives on either surface.
 */
export const make = <
  const Tag extends string,
  HI extends HttpApiMiddleware.AnyId,
  HS,
  RM extends RpcMiddleware.AnyService,
  Endpoint extends HttpApiEndpoint.Top,
  const Errors extends ReadonlyArray<Schema.Top>,
  Params extends Schema.Struct.Fields | undefined = undefined,
  Query extends Schema.Struct.Fields | undefined = undefined,
  const B extends Body | undefined = undefined,
  Success extends Schema.Top | undefined = undefined,
  const IM extends boolean = false
>(
  spec: OperationSpec<Tag, HI, HS, RM, Params, Query, B, Success, Errors, IM>,
  rest: (parts: RestParts<Params, Query, B, Success, Errors, HI, HS, IM>) => Endpoint
) => {
  const ifMatch = spec.ifMatch === true
  if (ifMatch && !spec.errors.includes(PreconditionFailed)) {
    throw new Error(`${spec.rpc} takes If-Match, so its errors must list PreconditionFailed`)
  }
  // A success without a body is 204, or 202 when the operation only starts something.
  const success =
    spec.success === undefined
      ? spec.status === 202
        ? HttpApiSchema.Accepted
        : undefined
      : spec.status === undefined
        ? spec.success
        : spec.success.pipe(HttpApiSchema.status(spec.status))
  const payload = restPayloadOf(spec.body)
  const options = {
    ...(spec.params === undefined ? {} : { params: spec.params }),
    ...(spec.query === undefined ? {} : { query: spec.query }),
    ...(payload === undefined ? {} : { payload }),
    ...(success === undefined ? {} : { success }),
    ...(ifMatch ? { headers: { "if-match": Schema.optional(IfMatch) } } : {}),
    error: spec.errors
  }
  const endpoint = rest({
    // The same values, typed by which of them the operation has.
    options: options as RestOptions<Params, Query, B, Success, Errors, IM>,
    middleware: spec.access.http
  }).annotateMerge(OpenApi.annotations({ summary: spec.summary, description: spec.description }))
  const fields = {
    ...spec.params,
    ...spec.query,
    ...bodyFieldsOf(spec.body),
    ...(ifMatch ? { expectedVersion: Schema.optional(EditVersion) } : {})
  }
  const rpc = Rpc.make(spec.rpc, {
    payload: (Object.keys(fields).length === 0 ? Schema.Void : fields) as RpcPayload<Params, Query, B, IM>,
    success: (spec.success ?? Schema.Void) as Success extends Schema.Top ? Success : typeof Schema.Void,
    error: Schema.Union(spec.errors)
  })
    .middleware(spec.access.rpc)
    // Each RPC, not the merged group, gets it: applying it once to the ~200 RPCs of \`Rpcs\` exceeds the
    // compiler's limit on type instantiations.
    .middleware(RpcRequestValidation)
  const operation: Operation<Endpoint, typeof rpc> = {
    endpoint: endpoint as Endpoint,
    rpc,
    access: spec.access.name,
    body: spec.body,
    hasInput: Object.keys(fields).length > 0,
    versioned: spec.versioned === true,
    ifMatch
  }
  return operation
}

/** The REST group of some operations: `class GroupsApi extends Operation.httpGroup("groups", operations) {}`. */
export const httpGroup = <const Name extends string, const Ops extends readonly [Any, ...Array<Any>]>(
  name: Name,
  operations: Ops
) => {
  const [first, ...rest] = operations
  return HttpApiGroup.make(name).add(
    first.endpoint as Ops[number]["endpoint"],
    ...rest.map((operation): Ops[number]["endpoint"] => operation.endpoint)
  )
}

/** The RPC group of some operations; the same operations' REST twins are in their `httpGroup`. */
export const rpcGroup = <const Ops extends ReadonlyArray<Any>>(operations: Ops) =>
  RpcGroup.make(...operations.map((operation): Ops[number]["rpc"] => operation.rpc))
