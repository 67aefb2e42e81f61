/**
 * The framework peer: the routes of the bare-metal baseline (`server.ts`), with its SQL
 * (`queries.ts`, `memberships.ts`), its token check (`auth.ts`) and its answers, written as a
 * Fastify 5 application is usually written: JSON schemas validate the params and query strings
 * (Ajv), and response schemas serialise the answers (fast-json-stringify, compiled from them).
 * Next to the raw baseline it says how much of Moim's cost any framework with validation and
 * typed responses would have, and how much is Moim's own.
 *
 * Environment: as `server.ts`.
 */
import Fastify, { type FastifyError, type FastifyRequest } from "fastify"
import { setUpPeer } from "./auth.ts"
import { joinGroup, leaveGroup } from "./memberships.ts"
import * as Q from "./queries.ts"

const { pool, port, authenticateWith } = setUpPeer("moim-fastify")

const authenticate = (request: FastifyRequest) =>
  authenticateWith({
    authorization: request.headers.authorization,
    address: request.socket.remoteAddress,
    userAgent: request.headers["user-agent"]
  })

const string = { type: "string" } as const
const nullableString = { type: ["string", "null"] } as const
const integer = { type: "integer" } as const
const strings = { type: "array", items: string } as const

const error = {
  type: "object",
  properties: { _tag: string, message: string },
  required: ["_tag", "message"]
} as const

const group = {
  type: "object",
  properties: {
    id: string,
    name: string,
    description: string,
    category: string,
    tags: strings,
    visibility: string,
    joinPolicy: string,
    memberLimit: { type: ["integer", "null"] },
    eventCreation: string,
    imageUrl: nullableString,
    ownerId: string,
    memberCount: integer,
    postCount: integer,
    version: integer,
    createdAt: string,
    updatedAt: string,
    viewer: {
      type: ["object", "null"],
      properties: {
        status: string,
        role: nullableString,
        postNotifications: nullableString,
        canCreateEvents: { type: "boolean" }
      },
      required: ["status", "role", "postNotifications", "canCreateEvents"]
    }
  },
  required: [
    "id",
    "name",
    "description",
    "category",
    "tags",
    "visibility",
    "joinPolicy",
    "memberLimit",
    "eventCreation",
    "imageUrl",
    "ownerId",
    "memberCount",
    "postCount",
    "version",
    "createdAt",
    "updatedAt",
    "viewer"
  ]
} as const

const profile = {
  type: "object",
  properties: {
    id: string,
    nickname: string,
    bio: string,
    avatarUrl: nullableString,
    interests: strings,
    createdAt: string
  },
  required: ["id", "nickname", "bio", "avatarUrl", "interests", "createdAt"]
} as const

// fast-json-stringify writes the properties in the schema's order: Moim's order, as `Q.toUser`'s.
const user = {
  type: "object",
  properties: {
    id: string,
    email: string,
    nickname: string,
    bio: string,
    avatarUrl: nullableString,
    interests: strings,
    role: string,
    status: string,
    emailVerifiedAt: nullableString,
    phoneNumber: nullableString,
    phoneVerifiedAt: nullableString,
    createdAt: string,
    updatedAt: string
  },
  required: [
    "id",
    "email",
    "nickname",
    "bio",
    "avatarUrl",
    "interests",
    "role",
    "status",
    "emailVerifiedAt",
    "phoneNumber",
    "phoneVerifiedAt",
    "createdAt",
    "updatedAt"
  ]
} as const

const feedPost = {
  type: "object",
  properties: {
    id: string,
    author: profile,
    // A post is on a profile (`userId`) or in a group (`groupId`); the other key is left out.
    place: { type: "object", properties: { kind: string, userId: string, groupId: string }, required: ["kind"] },
    audience: nullableString,
    title: nullableString,
    body: string,
    entities: { type: "array", items: { type: "object" } },
    attachments: { type: "array", items: { type: "object" } },
    commentCount: integer,
    createdAt: string,
    editedAt: nullableString
  },
  required: [
    "id",
    "author",
    "place",
    "audience",
    "title",
    "body",
    "entities",
    "attachments",
    "commentCount",
    "createdAt",
    "editedAt"
  ]
} as const

const pageOf = (item: object) =>
  ({
    type: "object",
    properties: { items: { type: "array", items: item }, nextCursor: nullableString },
    required: ["items", "nextCursor"]
  }) as const

const meta = {
  type: "object",
  properties: {
    name: string,
    version: string,
    apiVersion: string,
    adapters: {
      type: "object",
      properties: { database: string, redis: string, storage: string, mailer: string, sms: string, jobs: string },
      required: ["database", "redis", "storage", "mailer", "sms", "jobs"]
    },
    startedAt: string
  },
  required: ["name", "version", "apiVersion", "adapters", "startedAt"]
} as const

const groupParams = {
  type: "object",
  properties: { id: { type: "string", format: "uuid" } },
  required: ["id"]
} as const

const limit = { type: "integer", minimum: 1, maximum: 100, default: 20 } as const
const pageQuery = { type: "object", properties: { limit } } as const

interface GroupRoute {
  Params: { id: string }
}
interface PageRoute {
  Querystring: { limit: number }
}

const app = Fastify({ keepAliveTimeout: 65_000 })

// Moim's error shape (`_tag`, `message`) for validation failures and anything unexpected.
app.setErrorHandler<FastifyError>((failure, _request, reply) => {
  if (failure.validation !== undefined) {
    return reply.code(400).send({ _tag: "InvalidRequest", message: failure.message })
  }
  console.error(failure)
  return reply.code(500).send({ _tag: "InternalServerError", message: "Internal server error" })
})
app.setNotFoundHandler((_request, reply) => reply.code(404).send({ _tag: "NotFound", message: "No such route" }))

app.get(
  "/health",
  { schema: { response: { 200: { type: "object", properties: { status: string }, required: ["status"] } } } },
  async () => ({ status: "ok" })
)

app.get("/api/v1/meta", { schema: { response: { 200: meta } } }, async () => Q.meta)

app.get<GroupRoute>(
  "/api/v1/groups/:id",
  { schema: { params: groupParams, response: { 200: group, 404: error } } },
  async (request, reply) => {
    const { rows } = await pool.query<Q.GroupRow>({ ...Q.groupById, values: [request.params.id] })
    const row = rows[0]
    if (row === undefined || row.visibility !== "public") {
      return reply.code(404).send({ _tag: "GroupNotFound", message: "No such group" })
    }
    return Q.toGroup(row, null)
  }
)

app.get<{ Querystring: { q: string; category: string; limit: number } }>(
  "/api/v1/groups",
  {
    schema: {
      querystring: {
        type: "object",
        properties: { q: string, category: string, limit },
        required: ["q", "category"]
      },
      response: { 200: pageOf(group), 400: error }
    }
  },
  async (request, reply) => {
    const { category, limit, q } = request.query
    const tsQuery = Q.toTsQuery(q)
    if (tsQuery === null) {
      return reply
        .code(400)
        .send({ _tag: "InvalidRequest", message: "The baseline serves searches with q and category only" })
    }
    const { rows } = await pool.query<Q.GroupRow>({ ...Q.searchGroups, values: [tsQuery, category, limit + 1] })
    return Q.page(
      rows,
      limit,
      (row) => Q.toGroup(row, null),
      // Moim reads the float4 rank as a double; this prints the same digits in the cursor.
      (row) => ({ key: String(Math.fround(row.rank ?? 0)), id: row.id })
    )
  }
)

app.get<PageRoute>(
  "/api/v1/me/groups",
  { schema: { querystring: pageQuery, response: { 200: pageOf(group), 401: error } } },
  async (request, reply) => {
    const actor = await authenticate(request)
    if (actor === null) return reply.code(401).send({ _tag: "Unauthorized", message: "The access token is invalid" })
    const { limit } = request.query
    const { rows } = await pool.query<Q.GroupRow>({ ...Q.myGroups, values: [actor.userId, limit + 1] })
    return Q.page(
      rows,
      limit,
      (row) => Q.toGroup(row, Q.memberViewer(row)),
      (row) => ({ at: row.joined_at?.toISOString(), id: row.id })
    )
  }
)

app.get<PageRoute>(
  "/api/v1/me/feed",
  { schema: { querystring: pageQuery, response: { 200: pageOf(feedPost), 401: error } } },
  async (request, reply) => {
    const actor = await authenticate(request)
    if (actor === null) return reply.code(401).send({ _tag: "Unauthorized", message: "The access token is invalid" })
    const { limit } = request.query
    return Q.feedPage(pool, actor.userId, limit)
  }
)

app.get("/api/v1/me", { schema: { response: { 200: user, 401: error } } }, async (request, reply) => {
  const actor = await authenticate(request)
  if (actor === null) return reply.code(401).send({ _tag: "Unauthorized", message: "The access token is invalid" })
  const { rows } = await pool.query<Q.UserRow>({ ...Q.userById, values: [actor.userId] })
  const row = rows[0]
  if (row === undefined) return reply.code(401).send({ _tag: "Unauthorized", message: "This account no longer exists" })
  return Q.toUser(row)
})

app.get<{ Querystring: { q: string; limit: number } }>(
  "/api/v1/users",
  {
    schema: {
      querystring: { type: "object", properties: { q: string, limit }, required: ["q"] },
      response: { 200: pageOf(profile), 400: error }
    }
  },
  async (request, reply) => {
    const q = request.query.q.trim().toLowerCase()
    const { limit } = request.query
    if (q === "") return reply.code(400).send({ _tag: "InvalidRequest", message: "The baseline serves ?q= only" })
    const { rows } = await pool.query<Q.ProfileRow>({
      ...Q.searchProfiles,
      values: [q, `${Q.escapeLike(q)}%`, limit + 1]
    })
    return Q.page(rows, limit, Q.toProfile, (row) => ({ score: String(Math.fround(row.score)), id: row.id }))
  }
)

app.post<GroupRoute & { Body: { message?: string } | undefined }>(
  "/api/v1/groups/:id/join",
  {
    schema: {
      params: groupParams,
      // Moim's optional body (a message, used only for join requests, which the baseline refuses):
      // a schema per content type leaves a request without a body unvalidated, as Fastify documents.
      body: {
        content: {
          "application/json": {
            schema: { type: "object", properties: { message: { type: "string", maxLength: 500 } } }
          }
        }
      },
      response: {
        200: { type: "object", properties: { status: string }, required: ["status"] },
        "4xx": error
      }
    }
  },
  async (request, reply) => {
    const actor = await authenticate(request)
    if (actor === null) return reply.code(401).send({ _tag: "Unauthorized", message: "The access token is invalid" })
    const refused = await joinGroup(pool, actor.userId, request.params.id)
    if (refused !== null) return reply.code(refused.status).send({ _tag: refused._tag, message: refused.message })
    return { status: "member" }
  }
)

app.post<GroupRoute>(
  "/api/v1/groups/:id/leave",
  { schema: { params: groupParams, response: { "4xx": error } } },
  async (request, reply) => {
    const actor = await authenticate(request)
    if (actor === null) return reply.code(401).send({ _tag: "Unauthorized", message: "The access token is invalid" })
    const refused = await leaveGroup(pool, actor.userId, request.params.id)
    if (refused !== null) return reply.code(refused.status).send({ _tag: refused._tag, message: refused.message })
    return reply.code(204).send()
  }
)

const shutdown = () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0))
}
process.once("SIGTERM", shutdown)
process.once("SIGINT", shutdown)

await app.listen({ port, host: "127.0.0.1" })
