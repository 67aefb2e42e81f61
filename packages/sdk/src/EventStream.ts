import { createParser, type EventSourceMessage } from "eventsource-parser"
import type { components } from "./generated/schema.ts"
import { MoimRequestError } from "./MoimRequestError.ts"
import type { OperationSpec } from "./OperationSpec.ts"
import { sleep } from "./Retry.ts"
import type { Transport } from "./Transport.ts"
import { classifyFailure, type TaggedBody, type TransportError } from "./TransportErrors.ts"

/** One message of the realtime stream; switch on `type`. */
export type StreamMessage = components["schemas"]["StreamMessage"]

/** How `client.stream.open(...)` connects and reconnects. */
export interface EventStreamOptions {
  /** Where to resume: the `cursor` of the last message handled (e.g. kept across page loads). */
  readonly cursor?: string | undefined
  /** Stops the stream: the iteration ends (no error). */
  readonly signal?: AbortSignal | undefined
  /** The first wait before reconnecting after a drop; doubles up to 30 s (default 1000). */
  readonly reconnectDelayMs?: number | undefined
}

/** `for await` over messages; reconnects from the last cursor by itself, so nothing is missed or seen twice. */
export interface EventStream extends AsyncIterable<StreamMessage> {
  /** The cursor of the last message received: store it to resume later with `cursor`. */
  readonly cursor: () => string | undefined
}

const maxDelayMs = 30_000

/** Messages that only keep the connection alive; the iterator does not yield them. */
const heartbeat = "stream.heartbeat"

/**
 * The stream of an SSE operation: a `GET` with the session's token (refreshed when needed), read as
 * Server-Sent Events, and sent again with `Last-Event-ID` whenever the connection drops or the server
 * closes it (a server restarting, a slow client dropped). A refusal (a topic you may not see, a
 * session that ended) throws a `MoimRequestError` with the typed error instead.
 */
export const openEventStream = (options: {
  readonly transport: Transport
  readonly operation: readonly [id: string, spec: OperationSpec]
  readonly url: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly stream: EventStreamOptions
}): EventStream => {
  let cursor = options.stream.cursor
  const signal = options.stream.signal ?? new AbortController().signal
  const firstDelay = options.stream.reconnectDelayMs ?? 1000

  async function* messages(): AsyncGenerator<StreamMessage, void, undefined> {
    let delay = firstDelay
    while (!signal.aborted) {
      let response: Response
      try {
        response = await options.transport(
          new Request(options.url, {
            headers: {
              accept: "text/event-stream",
              ...options.headers,
              ...(cursor === undefined ? {} : { "last-event-id": cursor })
            },
            signal
          }),
          options.operation,
          {}
        )
      } catch {
        if (signal.aborted) return
        await sleep(delay, signal).catch(() => undefined)
        delay = Math.min(maxDelayMs, delay * 2)
        continue
      }
      if (!response.ok) {
        const body: unknown = await response.json().catch(() => undefined)
        const error: TaggedBody | TransportError = classifyFailure(options.operation[1].errors, response, body)
        if (response.status < 500 && response.status !== 429) throw new MoimRequestError(error)
        await sleep(delay, signal).catch(() => undefined)
        delay = Math.min(maxDelayMs, delay * 2)
        continue
      }
      const received: Array<EventSourceMessage> = []
      const parser = createParser({ onEvent: (event) => received.push(event) })
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader()
      try {
        while (reader !== undefined) {
          const chunk = await reader.read()
          if (chunk.done) break
          parser.feed(chunk.value)
          delay = firstDelay
          for (const event of received.splice(0)) {
            const message: StreamMessage = JSON.parse(event.data)
            if (event.id !== undefined && event.id !== "") cursor = event.id
            if (message.type !== heartbeat) yield message
          }
        }
      } catch {
        // The connection dropped: reconnect from the cursor.
      } finally {
        await reader?.cancel().catch(() => undefined)
      }
      if (signal.aborted) return
      await sleep(delay, signal).catch(() => undefined)
      delay = Math.min(maxDelayMs, delay * 2)
    }
  }

  return { [Symbol.asyncIterator]: messages, cursor: () => cursor }
}
