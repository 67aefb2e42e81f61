import { randomUUID } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { Duplex } from "node:stream"

const statusOf = (code: string | undefined) =>
  code === "HPE_HEADER_OVERFLOW"
    ? { status: 431, text: "Request Header Fields Too Large", _tag: "RequestHeaderFieldsTooLarge" }
    : code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? { status: 408, text: "Request Timeout", _tag: "RequestTimeout" }
      : { status: 400, text: "Bad Request", _tag: "BadRequest" }

const messages: Record<number, string> = {
  400: "The request could not be parsed as HTTP",
  408: "The request took too long to arrive",
  431: "The request headers are larger than this server accepts"
}

/**
 * Requests Node's HTTP parser refuses (a bad method, oversized headers, malformed framing) never
 * reach a route; Node would answer them with an empty body. Answer them like every other error: a
 * JSON `{ _tag, message, requestId }` body and an `x-request-id` header, then close the connection.
 */
export const respondToClientError = (error: Error & { readonly code?: string }, socket: Duplex) => {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy()
    return
  }
  const { status, text, _tag } = statusOf(error.code)
  const requestId = randomUUID()
  const body = JSON.stringify({ _tag, message: messages[status], requestId })
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`
  )
}

/** A Node HTTP server whose parser errors get JSON bodies. */
export const createHttpServer = (): Server => createServer().on("clientError", respondToClientError)
