import { connect } from "node:net"
import { assert, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { password, signUp, siteAdmin } from "./support/Actors.ts"
import { call, freshEmail, type JsonResponse } from "./support/Http.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

// Without TRUST_PROXY every request comes from the loopback address, whatever its headers claim.
const directEnv = TestServer.testEnv({ RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "3" })

const expectError = (response: JsonResponse, status: number, tag: string) => {
  assert.strictEqual(response.status, status, response.text)
  assert.strictEqual(response.body._tag, tag, response.text)
  assert.isString(response.body.message)
}

const issuePaths = (response: JsonResponse) =>
  (response.body.issues as ReadonlyArray<{ readonly path: ReadonlyArray<string | number> }>).map((issue) =>
    issue.path.join(".")
  )

/** Writes raw bytes to the test server and reads until it closes the connection (bounded by `timeout`). */
const rawExchange = (bytes: string, options: { readonly timeoutMs?: number } = {}) =>
  Effect.flatMap(TestServer.baseUrl, (base) =>
    Effect.callback<{ readonly text: string; readonly closedByServer: boolean }>((resume) => {
      const url = new URL(base)
      const socket = connect(Number(url.port), url.hostname)
      let text = ""
      const timer = setTimeout(() => {
        socket.destroy()
        resume(Effect.succeed({ text, closedByServer: false }))
      }, options.timeoutMs ?? 5000)
      socket.on("data", (chunk) => {
        text += chunk.toString("utf8")
      })
      socket.on("close", () => {
        clearTimeout(timer)
        resume(Effect.succeed({ text, closedByServer: true }))
      })
      socket.on("error", () => undefined)
      socket.write(bytes)
    })
  )

const parseRaw = (text: string) => {
  const [head = "", body = ""] = text.split("\r\n\r\n")
  const [statusLine = "", ...headerLines] = head.split("\r\n")
  const headers = new Map(
    headerLines.map((line) => {
      const at = line.indexOf(":")
      return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()] as const
    })
  )
  return { status: Number(statusLine.split(" ")[1]), headers, body: JSON.parse(body) as Record<string, unknown> }
}

const createGroup = (token: string, body: Record<string, unknown>) =>
  Effect.map(call("POST", "/api/v1/groups", { token, body: { category: "other", ...body } }), (response) => {
    assert.strictEqual(response.status, 201, response.text)
    return String(response.body.id)
  })

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Edges that hold", (it) => {
  it.effect("refuses NUL and unpaired surrogates in every string with a typed 400, and changes nothing", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Nul owner")
      const groupId = yield* createGroup(owner.token, { name: "Clean group", description: "as it was" })
      expectError(yield* call("GET", "/api/v1/users?q=%00"), 400, "InvalidRequest")
      expectError(yield* call("GET", "/api/v1/groups?tag=%00"), 400, "InvalidRequest")
      expectError(yield* call("GET", "/api/v1/groups?q=a%00b"), 400, "InvalidRequest")
      const signup = yield* call("POST", "/api/v1/auth/signup", {
        body: { email: freshEmail(), password, nickname: "Nul\u0000name" }
      })
      expectError(signup, 400, "InvalidRequest")
      assert.deepStrictEqual(issuePaths(signup), ["payload.nickname"])
      const login = yield* call("POST", "/api/v1/auth/login", {
        body: { email: owner.email, password, deviceName: "phone\u0000" }
      })
      expectError(login, 400, "InvalidRequest")
      const patched = yield* call("PATCH", `/api/v1/groups/${groupId}`, {
        token: owner.token,
        body: { description: "evil\u0000" }
      })
      expectError(patched, 400, "InvalidRequest")
      const surrogate = yield* call("PATCH", "/api/v1/me", { token: owner.token, body: '{"bio":"half \\ud800 pair"}' })
      expectError(surrogate, 400, "InvalidRequest")
      const group = yield* call("GET", `/api/v1/groups/${groupId}`, { token: owner.token })
      assert.strictEqual(group.body.description, "as it was")
    })
  )

  it.effect("cursors are unforgeable and belong to the list, sort and search they came from", () =>
    Effect.gen(function* () {
      const user = yield* signUp("Cursor user")
      for (const name of ["Cursor one", "Cursor two", "Cursor three"]) yield* createGroup(user.token, { name })
      const forged = Buffer.from(JSON.stringify({ createdAt: "2026-01-01T00:00:00.000Z", id: "2" })).toString(
        "base64url"
      )
      expectError(yield* call("GET", `/api/v1/users?cursor=${forged}`), 400, "InvalidCursor")
      expectError(
        yield* call("GET", `/api/v1/me/invitations?cursor=${forged}`, { token: user.token }),
        400,
        "InvalidCursor"
      )
      const byMembers = yield* call("GET", "/api/v1/groups?sort=members&limit=1")
      const cursor = String(byMembers.body.nextCursor)
      const next = yield* call("GET", `/api/v1/groups?sort=members&limit=1&cursor=${cursor}`)
      assert.strictEqual(next.status, 200, next.text)
      expectError(yield* call("GET", `/api/v1/groups?limit=1&cursor=${cursor}`), 400, "InvalidCursor")
      expectError(yield* call("GET", `/api/v1/groups?q=cursor&limit=1&cursor=${cursor}`), 400, "InvalidCursor")
      const [body, mac] = cursor.split(".")
      const edited = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(body ?? "", "base64url").toString()), id: "2" })
      ).toString("base64url")
      expectError(
        yield* call("GET", `/api/v1/groups?sort=members&limit=1&cursor=${edited}.${mac}`),
        400,
        "InvalidCursor"
      )
    })
  )

  it.effect("an empty path segment never reaches a collection route", () =>
    Effect.gen(function* () {
      const email = freshEmail()
      const first = yield* call("POST", "/api/v1/auth/signup", { body: { email, password, nickname: "Two devices" } })
      const second = yield* call("POST", "/api/v1/auth/login", { body: { email, password } })
      const firstToken = String(first.body.accessToken)
      expectError(
        yield* call("DELETE", "/api/v1/me/sessions/", { token: String(second.body.accessToken) }),
        404,
        "NotFound"
      )
      assert.strictEqual((yield* call("GET", "/api/v1/me", { token: firstToken })).status, 200)
      expectError(yield* call("GET", "/api/v1/groups/"), 404, "NotFound")
      expectError(yield* call("GET", "/api/v1/users/"), 404, "NotFound")
      expectError(yield* call("GET", "/api/v1//groups"), 404, "NotFound")
      const others = yield* call("POST", "/api/v1/me/sessions/revoke-others", {
        token: String(second.body.accessToken)
      })
      assert.strictEqual(others.status, 204)
      expectError(yield* call("GET", "/api/v1/me", { token: firstToken }), 401, "Unauthorized")
    })
  )

  it.effect("optional bodies may be left out; blank names are refused; names are stored trimmed", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Body owner")
      const joiner = yield* signUp("Body joiner")
      const groupId = yield* createGroup(owner.token, { name: "  Open doors  " })
      const group = yield* call("GET", `/api/v1/groups/${groupId}`)
      assert.strictEqual(group.body.name, "Open doors")
      const joined = yield* call("POST", `/api/v1/groups/${groupId}/join`, { token: joiner.token })
      assert.strictEqual(joined.status, 200, joined.text)
      assert.deepStrictEqual(joined.json, { status: "member" })
      const admin = yield* siteAdmin
      const suspended = yield* call("POST", `/api/v1/admin/users/${joiner.userId}/suspend`, { token: admin.token })
      assert.strictEqual(suspended.status, 200, suspended.text)
      assert.strictEqual(suspended.body.status, "suspended")
      const blank = yield* call("POST", "/api/v1/groups", {
        token: owner.token,
        body: { name: "   ", category: "other" }
      })
      expectError(blank, 400, "InvalidRequest")
      assert.deepStrictEqual(issuePaths(blank), ["payload.name"])
      const renamed = yield* call("PATCH", `/api/v1/groups/${groupId}`, { token: owner.token, body: { name: " \t " } })
      expectError(renamed, 400, "InvalidRequest")
      assert.strictEqual((yield* call("GET", `/api/v1/groups/${groupId}`)).body.name, "Open doors")
    })
  )

  it.effect("compressed or foreign bodies are 415 and oversized ones 413, all with JSON bodies", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Encoding owner")
      const gzip = yield* call("POST", "/api/v1/groups", {
        token: owner.token,
        body: { name: "Zipped", category: "other" },
        headers: { "content-encoding": "gzip" }
      })
      expectError(gzip, 415, "UnsupportedMediaType")
      const xml = yield* call("POST", "/api/v1/groups", {
        token: owner.token,
        body: "<group/>",
        headers: { "content-type": "application/xml" }
      })
      expectError(xml, 415, "UnsupportedMediaType")
      assert.strictEqual(xml.headers.get("content-type"), "application/json")
      const mine = yield* call("GET", "/api/v1/me/groups", { token: owner.token })
      assert.deepStrictEqual(mine.body.items, [])

      // The body is announced and never sent: the answer must come from the headers alone.
      const announced = yield* rawExchange(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n"
      )
      assert.isTrue(announced.closedByServer)
      const tooLarge = parseRaw(announced.text)
      assert.strictEqual(tooLarge.status, 413)
      assert.strictEqual(tooLarge.body._tag, "PayloadTooLarge")
      assert.isString(tooLarge.headers.get("x-request-id"))

      // Sent in chunks with no length announced: refused once it passes the limit (1 MiB here).
      const chunk = `${(64 * 1024).toString(16)}\r\n${"x".repeat(64 * 1024)}\r\n`
      const chunked = yield* rawExchange(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n${chunk.repeat(20)}0\r\n\r\n`
      )
      const refused = parseRaw(chunked.text)
      assert.strictEqual(refused.status, 413, chunked.text.slice(0, 300))
      assert.strictEqual(refused.body._tag, "PayloadTooLarge")
    })
  )

  it.effect("requests Node's parser refuses get JSON bodies with a request id", () =>
    Effect.gen(function* () {
      const badMethod = parseRaw((yield* rawExchange("FOO / HTTP/1.1\r\nHost: x\r\n\r\n")).text)
      assert.strictEqual(badMethod.status, 400)
      assert.strictEqual(badMethod.body._tag, "BadRequest")
      assert.strictEqual(badMethod.body.requestId, badMethod.headers.get("x-request-id"))
      const huge = parseRaw(
        (yield* rawExchange(`GET /health/live HTTP/1.1\r\nHost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`)).text
      )
      assert.strictEqual(huge.status, 431)
      assert.strictEqual(huge.body._tag, "RequestHeaderFieldsTooLarge")
      assert.isString(huge.body.requestId)
    })
  )

  it.effect("any Authorization header but a well-formed bearer token is 401, on REST and RPC alike", () =>
    Effect.gen(function* () {
      for (const authorization of ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "Bearer ", "bearer a b", ""]) {
        for (const path of ["/api/v1/groups", "/api/v1/users", "/api/v1/me"]) {
          expectError(yield* call("GET", path, { headers: { authorization } }), 401, "Unauthorized")
        }
        expectError(yield* call("POST", "/api/v1/auth/logout", { headers: { authorization } }), 401, "Unauthorized")
      }
      assert.strictEqual((yield* call("GET", "/api/v1/groups")).status, 200)
      for (const protocol of rpcProtocols) {
        const refused = yield* withRpcClient(protocol, Effect.succeedNone, (client) =>
          client.ListGroups({}, { headers: { authorization: "Basic dXNlcjpwYXNz" } }).pipe(Effect.flip)
        )
        assert.strictEqual(refused._tag, "Unauthorized", protocol)
        const anonymous = yield* withRpcClient(protocol, Effect.succeedNone, (client) => client.ListGroups({}))
        assert.isArray(anonymous.items)
      }
    })
  )

  it.effect("a browser may call RPC over HTTP: the CORS preflight allows the trace headers", () =>
    Effect.gen(function* () {
      const preflight = yield* call("OPTIONS", "/rpc", {
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "traceparent,tracestate,b3,content-type,authorization"
        }
      })
      assert.isBelow(preflight.status, 300)
      const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",")
      for (const header of ["traceparent", "tracestate", "b3", "content-type", "authorization"]) {
        assert.include(allowed, header)
      }
    })
  )

  it.effect("RPC takes what REST takes, and refuses what REST refuses with the same typed error", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Rpc parity")
      for (const protocol of rpcProtocols) {
        const token = Effect.succeed(Option.some(owner.token))
        const created = yield* withRpcClient(protocol, token, (client) =>
          client.CreateGroup({ name: `  Trail ${protocol}  `, category: "hiking", tags: ["Hiking", " Weekend "] })
        )
        assert.strictEqual(created.name, `Trail ${protocol}`)
        assert.deepStrictEqual(created.tags, ["hiking", "weekend"])
        const refused = yield* withRpcClient(protocol, token, (client) =>
          client.CreateGroup({ name: "x", category: "hiking" }).pipe(Effect.flip)
        )
        assert.strictEqual(refused._tag, "InvalidRequest", protocol)
        if (refused._tag === "InvalidRequest") {
          assert.deepStrictEqual(
            refused.issues.map((issue) => issue.path.join(".")),
            ["payload.name"]
          )
        }
      }
      // A client that skips the schema (another language, a hand-written frame) gets the same answer.
      const raw = yield* call("POST", "/rpc", {
        body: `${JSON.stringify({ _tag: "Request", id: "1", tag: "GetGroup", payload: { id: "nope" }, headers: [] })}\n`,
        headers: { "content-type": "application/ndjson" }
      })
      const exit = JSON.parse(raw.text.split("\n")[0] ?? "{}") as {
        exit: { _tag: string; cause: ReadonlyArray<{ _tag: string; error: { _tag: string } }> }
      }
      assert.strictEqual(exit.exit._tag, "Failure")
      assert.strictEqual(exit.exit.cause[0]?._tag, "Fail")
      assert.strictEqual(exit.exit.cause[0]?.error._tag, "InvalidRequest")
    })
  )
})

layer(TestServer.layer(directEnv), { excludeTestServices: true })("Client addresses", (it) => {
  it.effect("the client address comes from the connection: forged headers change nothing on any surface", () =>
    Effect.gen(function* () {
      const forged = { "x-forwarded-for": "203.0.113.7", "x-moim-client-address": "203.0.113.7" }
      const sql = yield* SqlClient.SqlClient

      // REST: three logins per address per window, whatever address each request claims.
      for (let attempt = 0; attempt < 3; attempt++) {
        const refused = yield* call("POST", "/api/v1/auth/login", {
          body: { email: freshEmail(), password },
          headers: { ...forged, "x-forwarded-for": `203.0.113.${attempt}` }
        })
        expectError(refused, 401, "InvalidCredentials")
      }
      expectError(
        yield* call("POST", "/api/v1/auth/login", { body: { email: freshEmail(), password }, headers: forged }),
        429,
        "RateLimited"
      )

      // RPC over HTTP: each call's own headers claim another address; password resets count per address.
      const resets = yield* withRpcClient("http", Effect.succeedNone, (client) =>
        Effect.forEach([0, 1, 2, 3], (attempt) =>
          client
            .RequestPasswordReset(
              { email: freshEmail() },
              { headers: { ...forged, "x-forwarded-for": `198.51.100.${attempt}` } }
            )
            .pipe(
              Effect.as("accepted"),
              Effect.catchTag("RateLimited", () => Effect.succeed("limited"))
            )
        )
      )
      assert.deepStrictEqual(resets, ["accepted", "accepted", "accepted", "limited"])

      // RPC over WebSocket: sign-ups count per address, and the session records the real one.
      const signups = yield* withRpcClient("websocket", Effect.succeedNone, (client) =>
        Effect.forEach([0, 1, 2, 3], (attempt) =>
          client
            .Signup(
              { email: freshEmail(), password, nickname: `Forger ${attempt}` },
              { headers: { ...forged, "x-forwarded-for": `192.0.2.${attempt}` } }
            )
            .pipe(
              Effect.map((result) => result.user.id),
              Effect.catchTag("RateLimited", () => Effect.succeed("limited"))
            )
        )
      )
      assert.strictEqual(signups[3], "limited")
      const addresses = yield* sql<{ lastIp: string | null }>`
        SELECT last_ip FROM sessions WHERE user_id = ANY(${signups.slice(0, 3)}::uuid[])`.pipe(Effect.orDie)
      assert.strictEqual(addresses.length, 3)
      for (const { lastIp } of addresses) {
        assert.isNotNull(lastIp)
        assert.notInclude(String(lastIp), "192.0.2.")
        assert.notInclude(String(lastIp), "203.0.113.")
      }
    })
  )
})
