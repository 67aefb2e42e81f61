/**
 * The bare-metal baseline: Moim's read endpoints, and joining and leaving a group, served by
 * `node:http` and `pg` with nothing in between — no framework, no schema validation or encoding, no
 * middleware, no cache, no rate limits. It runs the same SQL as Moim (`queries.ts`, `memberships.ts`)
 * against the same database, so the gap between the two is what Moim's layers cost.
 *
 * Environment: `DATABASE_URL`, `PORT`, `MOIM_SECRET` (to check access tokens as Moim does),
 * `DATABASE_POOL_SIZE` (default 10, Moim's default).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { setUpPeer } from "./auth.ts"
import { joinGroup, leaveGroup } from "./memberships.ts"
import * as Q from "./queries.ts"

const { pool, port, authenticateWith } = setUpPeer("moim-baseline")

const defaultPageSize = 20
const maxPageSize = 100

const send = (response: ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body)
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
  response.end(json)
}

const failure = (response: ServerResponse, status: number, tag: string, message: string) =>
  send(response, status, { _tag: tag, message })

const pageLimit = (params: URLSearchParams) => {
  const raw = params.get("limit")
  if (raw === null) return defaultPageSize
  const limit = Number(raw)
  return Number.isInteger(limit) && limit >= 1 && limit <= maxPageSize ? limit : null
}

const authenticate = (request: IncomingMessage) =>
  authenticateWith({
    authorization: request.headers.authorization,
    address: request.socket.remoteAddress,
    userAgent: request.headers["user-agent"]
  })

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL, id: string) => Promise<void>

const routes: Array<{ readonly method: string; readonly path: RegExp; readonly handle: Handler }> = [
  {
    method: "GET",
    path: /^\/health$/,
    handle: async (_request, response) => send(response, 200, { status: "ok" })
  },
  {
    method: "GET",
    path: /^\/api\/v1\/meta$/,
    handle: async (_request, response) => send(response, 200, Q.meta)
  },
  {
    method: "GET",
    path: /^\/api\/v1\/groups\/([^/]+)$/,
    handle: async (_request, response, _url, id) => {
      if (!Q.uuid.test(id)) return failure(response, 400, "InvalidRequest", "params.id: not a UUID")
      const { rows } = await pool.query<Q.GroupRow>({ ...Q.groupById, values: [id] })
      const row = rows[0]
      if (row === undefined || row.visibility !== "public") {
        return failure(response, 404, "GroupNotFound", "No such group")
      }
      send(response, 200, Q.toGroup(row, null))
    }
  },
  {
    method: "GET",
    path: /^\/api\/v1\/groups$/,
    handle: async (_request, response, url) => {
      const q = url.searchParams.get("q") ?? ""
      const category = url.searchParams.get("category")
      const limit = pageLimit(url.searchParams)
      const tsQuery = Q.toTsQuery(q)
      if (tsQuery === null || category === null || limit === null) {
        return failure(response, 400, "InvalidRequest", "The baseline serves searches with q and category only")
      }
      const { rows } = await pool.query<Q.GroupRow>({ ...Q.searchGroups, values: [tsQuery, category, limit + 1] })
      send(
        response,
        200,
        Q.page(
          rows,
          limit,
          (row) => Q.toGroup(row, null),
          // Moim reads the float4 rank as a double; this prints the same digits in the cursor.
          (row) => ({ key: String(Math.fround(row.rank ?? 0)), id: row.id })
        )
      )
    }
  },
  {
    method: "GET",
    path: /^\/api\/v1\/me\/groups$/,
    handle: async (request, response, url) => {
      const actor = await authenticate(request)
      if (actor === null) return failure(response, 401, "Unauthorized", "The access token is invalid")
      const limit = pageLimit(url.searchParams)
      if (limit === null) return failure(response, 400, "InvalidRequest", "query.limit")
      const { rows } = await pool.query<Q.GroupRow>({ ...Q.myGroups, values: [actor.userId, limit + 1] })
      send(
        response,
        200,
        Q.page(
          rows,
          limit,
          (row) => Q.toGroup(row, Q.memberViewer(row)),
          (row) => ({ at: row.joined_at?.toISOString(), id: row.id })
        )
      )
    }
  },
  {
    method: "GET",
    path: /^\/api\/v1\/me\/feed$/,
    handle: async (request, response, url) => {
      const actor = await authenticate(request)
      if (actor === null) return failure(response, 401, "Unauthorized", "The access token is invalid")
      const limit = pageLimit(url.searchParams)
      if (limit === null) return failure(response, 400, "InvalidRequest", "query.limit")
      send(response, 200, await Q.feedPage(pool, actor.userId, limit))
    }
  },
  {
    method: "GET",
    path: /^\/api\/v1\/me$/,
    handle: async (request, response) => {
      const actor = await authenticate(request)
      if (actor === null) return failure(response, 401, "Unauthorized", "The access token is invalid")
      const { rows } = await pool.query<Q.UserRow>({ ...Q.userById, values: [actor.userId] })
      const row = rows[0]
      if (row === undefined) return failure(response, 401, "Unauthorized", "This account no longer exists")
      send(response, 200, Q.toUser(row))
    }
  },
  {
    method: "GET",
    path: /^\/api\/v1\/users$/,
    handle: async (_request, response, url) => {
      const q = (url.searchParams.get("q") ?? "").trim().toLowerCase()
      const limit = pageLimit(url.searchParams)
      if (q === "" || limit === null) return failure(response, 400, "InvalidRequest", "The baseline serves ?q= only")
      const { rows } = await pool.query<Q.ProfileRow>({
        ...Q.searchProfiles,
        values: [q, `${Q.escapeLike(q)}%`, limit + 1]
      })
      send(
        response,
        200,
        Q.page(rows, limit, Q.toProfile, (row) => ({ score: String(Math.fround(row.score)), id: row.id }))
      )
    }
  },
  {
    method: "POST",
    path: /^\/api\/v1\/groups\/([^/]+)\/join$/,
    handle: async (request, response, _url, id) => {
      // The body (an optional message) matters only for join requests, which the baseline refuses.
      const actor = await authenticate(request)
      if (actor === null) return failure(response, 401, "Unauthorized", "The access token is invalid")
      if (!Q.uuid.test(id)) return failure(response, 400, "InvalidRequest", "params.id: not a UUID")
      const refused = await joinGroup(pool, actor.userId, id)
      if (refused !== null) return failure(response, refused.status, refused._tag, refused.message)
      send(response, 200, { status: "member" })
    }
  },
  {
    method: "POST",
    path: /^\/api\/v1\/groups\/([^/]+)\/leave$/,
    handle: async (request, response, _url, id) => {
      const actor = await authenticate(request)
      if (actor === null) return failure(response, 401, "Unauthorized", "The access token is invalid")
      if (!Q.uuid.test(id)) return failure(response, 400, "InvalidRequest", "params.id: not a UUID")
      const refused = await leaveGroup(pool, actor.userId, id)
      if (refused !== null) return failure(response, refused.status, refused._tag, refused.message)
      response.writeHead(204)
      response.end()
    }
  }
]

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost")
  for (const route of routes) {
    const match = route.method === request.method ? route.path.exec(url.pathname) : null
    if (match === null) continue
    route.handle(request, response, url, decodeURIComponent(match[1] ?? "")).catch((error: unknown) => {
      console.error(error)
      if (!response.headersSent) failure(response, 500, "InternalServerError", "Internal server error")
    })
    return
  }
  failure(response, 404, "NotFound", "No such route")
})
server.keepAliveTimeout = 65_000

const shutdown = () => {
  server.close()
  void pool.end().then(() => process.exit(0))
}
process.once("SIGTERM", shutdown)
process.once("SIGINT", shutdown)

server.listen(port, "127.0.0.1")
