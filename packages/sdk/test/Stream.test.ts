import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createGroup, signUp } from "../../server/test/support/Actors.ts"
import { call } from "../../server/test/support/Http.ts"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { WorkerLive } from "../../worker/src/Worker.ts"
import { MoimRequestError, type StreamMessage } from "../src/index.ts"
import { makeClient, serverEnv } from "./support/TestClient.ts"

/** The stream needs the worker (it sequences events): server and worker in one process. */
const ServerAndWorker = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(serverEnv({ RATE_LIMIT_USER: "10000" }))))

/**
 * A `fetch` that lets the test cut the first stream connection, as a network drop would, and
 * records the `Last-Event-ID` of every stream request.
 */
const droppingFetch = () => {
  const resumedFrom: Array<string | null> = []
  let cut: (() => void) | undefined
  const fetchWith = async (request: Request): Promise<Response> => {
    const response = await fetch(request)
    if (!new URL(request.url).pathname.endsWith("/stream")) return response
    resumedFrom.push(request.headers.get("last-event-id"))
    if (resumedFrom.length > 1 || response.body === null) return response
    const reader = response.body.getReader()
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        cut = () => {
          controller.error(new Error("connection dropped"))
          reader.cancel().catch(() => undefined)
        }
      },
      pull: async (controller) => {
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }))
        if (chunk.done) controller.close()
        else controller.enqueue(chunk.value)
      }
    })
    return new Response(body, { status: response.status, headers: response.headers })
  }
  return { fetch: fetchWith, resumedFrom, cut: () => cut?.() }
}

layer(ServerAndWorker, { excludeTestServices: true, timeout: "60 seconds" })(
  "the realtime stream through the SDK",
  (it) => {
    it.effect("iterates typed messages, reconnects from its cursor after a drop, and stops on abort", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const groupId = yield* createGroup(owner, { name: "SDK stream" })
        const network = droppingFetch()
        const client = yield* makeClient({ fetch: network.fetch })
        yield* Effect.promise(() => client.session.set({ accessToken: owner.token, refreshToken: "unused" }))
        const controller = new AbortController()
        const stream = client.stream.open({
          query: { topics: [`group:${groupId}`] },
          signal: controller.signal,
          reconnectDelayMs: 50
        })
        const iterator = stream[Symbol.asyncIterator]()
        const next = () =>
          Effect.promise(async (): Promise<StreamMessage> => {
            const result = await iterator.next()
            if (result.done === true) throw new Error("the stream ended")
            return result.value
          })
        const rename = (description: string) =>
          call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { description } })

        assert.strictEqual((yield* next()).type, "stream.ready")
        yield* rename("before the drop")
        const before = yield* next()
        assert.strictEqual(before.type, "group.updated")
        if (before.type === "group.updated") assert.strictEqual(before.data.groupId, groupId)
        assert.strictEqual(stream.cursor(), before.cursor)

        network.cut()
        yield* rename("during the drop")
        const after: Array<StreamMessage> = []
        while (after.filter((message) => message.type === "group.updated").length < 1) after.push(yield* next())
        assert.deepStrictEqual(network.resumedFrom, [null, before.cursor])
        const updates = after.filter((message) => message.type === "group.updated")
        assert.lengthOf(updates, 1)
        assert.isAbove(Number(updates[0]?.cursor), Number(before.cursor))

        controller.abort()
        const ended = yield* Effect.promise(() => iterator.next())
        assert.isTrue(ended.done)
      })
    )

    it.effect("a topic one may not see ends the iteration with the typed error", () =>
      Effect.gen(function* () {
        const owner = yield* signUp("Owner")
        const outsider = yield* signUp("Outsider")
        const hidden = yield* createGroup(owner, { name: "Hidden from the SDK", visibility: "private" })
        const client = yield* makeClient()
        yield* Effect.promise(() => client.session.set({ accessToken: outsider.token, refreshToken: "unused" }))
        const failure = yield* Effect.promise(async () => {
          try {
            for await (const _ of client.stream.open({ query: { topics: [`group:${hidden}`] } })) return undefined
          } catch (error) {
            return error
          }
          return undefined
        })
        assert.instanceOf(failure, MoimRequestError)
        if (failure instanceof MoimRequestError) assert.strictEqual(failure.error._tag, "StreamTopicNotFound")
      })
    )
  }
)
