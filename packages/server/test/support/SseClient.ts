import { StreamMessage } from "@moim/domain/Realtime/StreamMessage"
import { type Duration, Effect, Queue, Schema, type Scope } from "effect"
import type { HttpServer } from "effect/http"
import { createParser, type EventSourceMessage } from "eventsource-parser"
import * as TestServer from "./TestServer.ts"

/** One SSE event as the client saw it, its `data` decoded as a `StreamMessage` (so the wire format is checked too). */
export interface SseEvent {
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: StreamMessage
}

const decodeMessage = Schema.decodeUnknownSync(Schema.fromJsonString(Schema.toCodecJson(StreamMessage)))

export interface SseConnection {
  readonly status: number
  /** The `stream.ready` message the server sends first (undefined when refused). */
  readonly ready: SseEvent | undefined
  /** The JSON body of a refused request. */
  readonly body: Record<string, unknown>
  /** The next event; fails after `timeout` (default 10 s) with what was expected. */
  readonly next: (what: string, timeout?: Duration.Input) => Effect.Effect<SseEvent>
  /** Closes the connection (the scope closes it too). */
  readonly close: Effect.Effect<void>
}

/**
 * Opens `GET <path>` on the test server as an SSE client would, waits for the
 * `stream.ready` message (the subscription is then in place), and reads the events after it in the
 * background for the scope's lifetime.
 */
export const openSse = (
  path: string,
  options: { readonly token?: string; readonly headers?: Record<string, string> } = {}
): Effect.Effect<SseConnection, never, HttpServer.HttpServer | Scope.Scope> =>
  Effect.flatMap(TestServer.baseUrl, (base) => openSseAt(base, path, options))

/** `openSse` on any server, e.g. one started as a separate process. */
export const openSseAt = (
  base: string,
  path: string,
  options: { readonly token?: string; readonly headers?: Record<string, string> } = {}
): Effect.Effect<SseConnection, never, Scope.Scope> =>
  Effect.gen(function* () {
    const abort = new AbortController()
    yield* Effect.addFinalizer(() => Effect.sync(() => abort.abort()))
    const response = yield* Effect.promise(() =>
      fetch(`${base}${path}`, {
        headers: {
          accept: "text/event-stream",
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...options.headers
        },
        signal: abort.signal
      })
    )
    const close = Effect.sync(() => abort.abort())
    if (response.status !== 200) {
      const body: Record<string, unknown> = yield* Effect.promise(() => response.json().catch(() => ({})))
      const refused: SseConnection = {
        status: response.status,
        ready: undefined,
        body,
        next: (what) => Effect.die(new Error(`no stream: ${what}`)),
        close
      }
      return refused
    }
    const events = yield* Queue.unbounded<SseEvent>()
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        Queue.offerUnsafe(events, { id: event.id, event: event.event, data: decodeMessage(event.data) })
      }
    })
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader()
    yield* Effect.forkScoped(
      Effect.promise(async () => {
        try {
          while (reader !== undefined) {
            const chunk = await reader.read()
            if (chunk.done) return
            parser.feed(chunk.value)
          }
        } catch {
          // Closed by the test, or the server went away.
        }
      })
    )
    const next = (what: string, timeout: Duration.Input = "10 seconds") =>
      Queue.take(events).pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () => Effect.die(new Error(`timed out waiting for ${what}`))
        })
      )
    const ready = yield* next("stream.ready")
    if (ready.data.type !== "stream.ready") return yield* Effect.die(new Error(`first came ${ready.data.type}`))
    const connection: SseConnection = { status: 200, ready, body: {}, next, close }
    return connection
  })
