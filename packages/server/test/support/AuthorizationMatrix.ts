import { assert, layer, type Vitest } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Ref } from "effect"
import type { HttpServer } from "effect/http"
import type { JsonResponse } from "./Http.ts"
import { type MoimRpcClient, withRpcClient } from "./RpcTestClient.ts"
import * as TestServer from "./TestServer.ts"

/** What one actor gets: the REST status, and the error tag (the RPC failure) when it is refused. */
export type Expectation = readonly [status: number, tag?: string]

export const unauthorized: Expectation = [401, "Unauthorized"]
export const suspended: Expectation = [403, "AccountSuspended"]
export const forbidden: Expectation = [403, "Forbidden"]

/**
 * Batch reads answer 200 and leave out what the caller may not see. Their rows say whether the
 * cell's item is in the answer (`Present`) or left out (`Absent`), with `batchRest` and `batchRpc`.
 */
export const present: Expectation = [200, "Present"]
export const absent: Expectation = [200, "Absent"]

/** A single read's expectations as its batch read's: seen is present, not found is absent, refusals stay. */
export const asBatch = <Actor extends string>(expect: Record<Actor, Expectation>): Record<Actor, Expectation> => {
  const out: Partial<Record<Actor, Expectation>> = {}
  for (const actor of Object.keys(expect) as Array<Actor>) {
    const [status, tag] = expect[actor]
    out[actor] = status === 200 ? present : status === 404 ? absent : tag === undefined ? [status] : [status, tag]
  }
  return out as Record<Actor, Expectation>
}

const hasItem = (items: unknown, id: string) =>
  Array.isArray(items) &&
  items.some((item: unknown) => typeof item === "object" && item !== null && "id" in item && item.id === id)

/** A batch read over REST, its 200 told as `Present` or `Absent` (the body's `_tag`) by whether `id` is among its items. */
export const batchRest = <E, R>(id: string, response: Effect.Effect<JsonResponse, E, R>) =>
  Effect.map(response, (answer) =>
    answer.status !== 200
      ? answer
      : { ...answer, body: { ...answer.body, _tag: hasItem(answer.body.items, id) ? "Present" : "Absent" } }
  )

/** The same over RPC: an answer without `id` fails with `Absent`. */
export const batchRpc = <A extends { readonly items: ReadonlyArray<{ readonly id: string }> }, E>(
  id: string,
  call: Effect.Effect<A, E>
) =>
  Effect.flatMap(call, (answer) =>
    answer.items.some((item) => item.id === id) ? Effect.succeed(answer) : Effect.fail({ _tag: "Absent" as const })
  )

/** What a cell acts with: the actor's bearer token (none for anonymous) and whatever the row needs. */
export interface Cell {
  readonly token: string | undefined
}

/**
 * One operation of an authorization matrix: how to call it over REST and over RPC in a cell, and
 * what each actor must get. `setup` makes the cell for one actor (a fresh group, fresh users when
 * the operation changes its actor), so the cells of a row cannot disturb each other.
 */
export interface Row<Actor extends string, World, C extends Cell, R> {
  readonly operation: string
  readonly setup: (world: World, actor: Actor) => Effect.Effect<C, never, R>
  readonly rest: (cell: C, world: World) => Effect.Effect<JsonResponse, never, HttpServer.HttpServer>
  readonly rpc: (cell: C, world: World, client: MoimRpcClient) => Effect.Effect<unknown, { readonly _tag: string }>
  readonly expect: Record<Actor, Expectation>
}

const describe = ([status, tag]: Expectation) => `${status}${tag === undefined ? "" : ` ${tag}`}`

/**
 * Registers two tests per row, one over REST and one over RPC, each trying every actor and listing
 * every actor that got something else: a failure names the operation, the surface and the actors.
 * `world` (the actors signed up once for the file) is made on first use and shared by the rows.
 */
const register = <Actor extends string, World, C extends Cell, R>(
  it: Vitest.MethodsNonLive<R | HttpServer.HttpServer>,
  options: {
    readonly actors: ReadonlyArray<Actor>
    readonly world: Effect.Effect<World, never, R | HttpServer.HttpServer>
    readonly rows: ReadonlyArray<Row<Actor, World, C, R | HttpServer.HttpServer>>
  }
) => {
  const world = Effect.runSync(Effect.cached(options.world))
  for (const row of options.rows) {
    it.effect(`REST: ${row.operation}`, () =>
      Effect.gen(function* () {
        const shared = yield* world
        const failures: Array<string> = []
        for (const actor of options.actors) {
          const cell = yield* row.setup(shared, actor)
          const response = yield* row.rest(cell, shared)
          const [status, tag] = row.expect[actor]
          if (response.status !== status || (tag !== undefined && response.body._tag !== tag)) {
            failures.push(
              `as ${actor}: expected ${describe(row.expect[actor])}, got ${response.status} ${String(response.body._tag ?? "")}`
            )
          }
        }
        assert.deepStrictEqual(failures, [])
      })
    )

    it.effect(`RPC: ${row.operation}`, () => {
      const token = Ref.makeUnsafe(Option.none<string>())
      return withRpcClient("http", Ref.get(token), (client) =>
        Effect.gen(function* () {
          const shared = yield* world
          const failures: Array<string> = []
          for (const actor of options.actors) {
            const cell = yield* row.setup(shared, actor)
            yield* Ref.set(token, Option.fromNullishOr(cell.token))
            const exit = yield* Effect.exit(row.rpc(cell, shared, client))
            const [status, tag] = row.expect[actor]
            const got = Exit.isSuccess(exit)
              ? "success"
              : Option.match(Exit.findErrorOption(exit), { onNone: () => "defect", onSome: (error) => error._tag })
            const wanted = status < 400 ? (tag === "Absent" ? "Absent" : "success") : (tag ?? "an error")
            if (got !== wanted) failures.push(`as ${actor}: expected ${wanted}, got ${got}`)
          }
          assert.deepStrictEqual(failures, [])
        })
      )
    })
  }
}

/** What a matrix's world and cells may use: everything the test server provides. */
export type Services = Layer.Success<ReturnType<typeof TestServer.layer>>

/**
 * A matrix on its own test server, which trusts the test's client addresses and lets many
 * requests through (the matrix checks who may, not how often); `env` adds settings a feature needs
 * to be on (credentials of a push service).
 */
export const describeMatrix = <Actor extends string, World, C extends Cell>(
  title: string,
  options: {
    readonly actors: ReadonlyArray<Actor>
    readonly world: Effect.Effect<World, never, Services>
    readonly rows: ReadonlyArray<Row<Actor, World, C, Services>>
    readonly env?: Record<string, string>
  }
) =>
  layer(
    TestServer.layer(
      TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000", ...options.env })
    ),
    { excludeTestServices: true, timeout: "120 seconds" }
  )(title, (it) => register(it, options))
