import { assert, layer } from "@effect/vitest"
import { Api } from "@moim/domain/Api"
import { Effect } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import * as TestServer from "../../server/test/support/TestServer.ts"
import { createMoimClient, MoimRequestError, memoryTokenStore } from "../src/index.ts"
import { freshEmail, freshIp, makeClient, password, recordRequests, serverEnv } from "./support/TestClient.ts"

layer(TestServer.layer(serverEnv()), { excludeTestServices: true })("the SDK against a live server", (it) => {
  it.effect("calls operations as client.<group>.<name>, with typed data", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const result = yield* Effect.promise(() => client.system.meta())
      assert.isTrue(result.ok)
      if (!result.ok) return
      assert.strictEqual(result.data.name, "moim")
      assert.strictEqual(result.data.apiVersion, "v1")
      assert.strictEqual(result.response.status, 200)
    })
  )

  it.effect("returns each declared error with its _tag, and sends static credentials", () =>
    Effect.gen(function* () {
      const anonymous = yield* makeClient()
      const refused = yield* Effect.promise(() => anonymous.ops.report())
      assert.strictEqual(refused.error?._tag, "OpsUnauthorized")
      assert.strictEqual(refused.response?.status, 401)

      const operator = yield* makeClient({ credentials: { opsToken: TestServer.opsToken } })
      const report = yield* Effect.promise(() => operator.ops.report({ query: { failedLimit: 5 } }))
      assert.deepStrictEqual(report.data?.queue, { pending: 0, running: 0, failed: 0 })

      const invalid = yield* Effect.promise(() => operator.ops.report({ query: { failedLimit: 5000 } }))
      assert.isFalse(invalid.ok)
      if (invalid.error?._tag !== "InvalidRequest") return assert.fail(JSON.stringify(invalid.error))
      assert.deepStrictEqual(invalid.error.issues[0]?.path, ["query", "failedLimit"])
    })
  )

  it.effect("keeps the session of a signup, sends it as a bearer token, and forgets it on logout", () =>
    Effect.gen(function* () {
      const tokens = memoryTokenStore()
      const client = yield* makeClient({ tokens })
      const email = freshEmail()
      const signup = yield* Effect.promise(() =>
        client.auth.signup({ body: { email, password, nickname: "Ada", deviceName: "SDK test" } })
      )
      assert.strictEqual(signup.response?.status, 201, JSON.stringify(signup.error))
      assert.strictEqual((yield* Effect.promise(async () => tokens.get()))?.accessToken, signup.data?.accessToken)

      const me = yield* Effect.promise(() => client.me.get())
      assert.strictEqual(me.data?.email, email)

      const logout = yield* Effect.promise(() => client.auth.logout())
      assert.isTrue(logout.ok, JSON.stringify(logout.error))
      assert.isUndefined(logout.data)
      assert.isUndefined(yield* Effect.promise(() => client.session.get()))

      const after = yield* Effect.promise(() => client.me.get())
      assert.strictEqual(after.error?._tag, "Unauthorized")
    })
  )

  it.effect("narrows a failed login to InvalidCredentials", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const result = yield* Effect.promise(() =>
        client.auth.login({ body: { email: freshEmail(), password: "not the password" } })
      )
      if (result.ok) return assert.fail("login with a wrong password succeeded")
      switch (result.error._tag) {
        case "InvalidCredentials":
          assert.strictEqual(result.response?.status, 401)
          return
        default:
          return assert.fail(`expected InvalidCredentials, got ${result.error._tag}`)
      }
    })
  )

  it.effect("iterates every item of a paginated list with for await", () =>
    Effect.gen(function* () {
      const marker = `pager${freshIp().replaceAll(".", "")}`
      const nicknames = Array.from({ length: 5 }, (_, index) => `${marker} ${index}`)
      for (const nickname of nicknames) {
        const client = yield* makeClient()
        const created = yield* Effect.promise(() =>
          client.auth.signup({ body: { email: freshEmail(), password, nickname } })
        )
        assert.isTrue(created.ok, JSON.stringify(created.error))
      }
      const requests = recordRequests()
      const client = yield* makeClient({ fetch: requests.fetch })
      const found = yield* Effect.promise(async () => {
        const names: Array<string> = []
        for await (const user of client.users.search.all({ query: { q: marker, limit: 2 } })) {
          names.push(user.nickname)
        }
        return names
      })
      assert.sameMembers(
        found.filter((name) => name.startsWith(marker)),
        nicknames
      )
      assert.isAtLeast(requests.count("GET", "/api/v1/users"), 3)

      const pages = yield* Effect.promise(async () => {
        const sizes: Array<number> = []
        for await (const page of client.users.search.pages({ query: { q: marker, limit: 2 } })) {
          sizes.push(page.items.length)
        }
        return sizes
      })
      assert.isTrue(pages.slice(0, -1).every((size) => size === 2))
    })
  )

  it.effect("throws the typed error of a failed page out of the iteration", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const error = yield* Effect.promise(async () => {
        try {
          for await (const _ of client.users.search.all({ query: { limit: 0 } })) return undefined
        } catch (error) {
          return error
        }
      })
      assert.instanceOf(error, MoimRequestError)
      if (!(error instanceof MoimRequestError)) return
      assert.strictEqual(error.error._tag, "InvalidRequest")
    })
  )

  it.effect("offers the raw typed openapi-fetch client", () =>
    Effect.gen(function* () {
      const client = yield* makeClient({ credentials: { opsToken: TestServer.opsToken } })
      const meta = yield* Effect.promise(() => client.raw.GET("/api/v1/meta"))
      assert.strictEqual(meta.data?.name, "moim")
      const report = yield* Effect.promise(() => client.raw.GET("/api/v1/ops/workers"))
      assert.strictEqual(report.response.status, 200)
    })
  )

  it.effect("reports an answer the operation does not declare as UnexpectedResponse", () =>
    Effect.gen(function* () {
      const baseUrl = yield* TestServer.baseUrl
      const client = createMoimClient({ baseUrl: `${baseUrl}/not-the-api` })
      const result = yield* Effect.promise(() => client.system.meta())
      if (result.error?._tag !== "UnexpectedResponse") return assert.fail(JSON.stringify(result))
      assert.strictEqual(result.error.status, 404)
      assert.include(JSON.stringify(result.error.body), "NotFound")
    })
  )

  it.effect("sends a POST again after a lost answer, and the server runs it once", () =>
    Effect.gen(function* () {
      const signedUp = yield* makeClient()
      const email = freshEmail("lost")
      assert.isTrue(
        (yield* Effect.promise(() => signedUp.auth.signup({ body: { email, password, nickname: "Lou" } }))).ok
      )
      // The first answer to creating a group is lost on its way back (the server did create it).
      let lost = 0
      const keys: Array<string | null> = []
      const client = yield* makeClient({
        fetch: async (request) => {
          const response = await fetch(request)
          if (request.method === "POST" && new URL(request.url).pathname === "/api/v1/groups") {
            keys.push(request.headers.get("idempotency-key"))
            if (lost++ === 0) {
              await response.body?.cancel()
              throw new TypeError("fetch failed: the connection was reset")
            }
          }
          return response
        }
      })
      const login = yield* Effect.promise(() => client.auth.login({ body: { email, password } }))
      assert.isTrue(login.ok, JSON.stringify(login.error))
      const name = `Lost answers ${freshEmail("g")}`.slice(0, 60)
      const created = yield* Effect.promise(() => client.groups.create({ body: { name, category: "hiking" } }))
      assert.isTrue(created.ok, JSON.stringify(created.error))
      assert.strictEqual(created.response?.headers.get("idempotent-replayed"), "true")
      assert.strictEqual(keys.length, 2)
      assert.strictEqual(keys[0], keys[1])
      const mine = yield* Effect.promise(() => client.groups.mine())
      assert.isTrue(mine.ok, JSON.stringify(mine.error))
      assert.deepStrictEqual(
        (mine.data?.items ?? []).filter((group) => group.name === name).map((group) => group.id),
        [created.data?.id]
      )
    })
  )

  it.effect("reads several groups by id in one call, in the order asked", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const email = freshEmail("pins")
      assert.isTrue(
        (yield* Effect.promise(() => client.auth.signup({ body: { email, password, nickname: "Pia" } }))).ok
      )
      const create = (name: string, visibility: "public" | "private") =>
        Effect.promise(() => client.groups.create({ body: { name, category: "books", visibility } }))
      const open = yield* create("Pinned open", "public")
      const closed = yield* create("Pinned closed", "private")
      const ids = [closed.data?.id ?? "", open.data?.id ?? ""]
      const { data } = yield* Effect.promise(() => client.groups.byIds({ query: { ids } }))
      assert.deepStrictEqual(
        data?.items.map((group) => [group.name, group.memberCount]),
        [
          ["Pinned closed", 1],
          ["Pinned open", 1]
        ]
      )
      // Signed out, the private group is absent.
      yield* Effect.promise(() => client.session.clear())
      const anonymous = yield* Effect.promise(() => client.groups.byIds({ query: { ids } }))
      assert.deepStrictEqual(
        anonymous.data?.items.map((group) => group.name),
        ["Pinned open"]
      )
    })
  )

  it.effect("reports a server that cannot be reached as NetworkError", () =>
    Effect.gen(function* () {
      const client = createMoimClient({ baseUrl: "http://127.0.0.1:9" })
      const result = yield* Effect.promise(() => client.system.meta())
      assert.strictEqual(result.error?._tag, "NetworkError")
      assert.isUndefined(result.response)
    })
  )

  it.effect("rejects with the abort reason when the signal aborts", () =>
    Effect.gen(function* () {
      const client = yield* makeClient()
      const controller = new AbortController()
      controller.abort(new Error("user went away"))
      const outcome = yield* Effect.promise(() =>
        client.system.meta({ signal: controller.signal }).then(
          () => "resolved",
          (error: unknown) => (error instanceof Error ? error.message : String(error))
        )
      )
      assert.strictEqual(outcome, "user went away")
    })
  )

  it.effect("works like the Effect-native client that docs/sdk.md offers Effect users", () =>
    Effect.gen(function* () {
      const baseUrl = yield* TestServer.baseUrl
      const email = freshEmail()
      const address = HttpClient.mapRequest(HttpClientRequest.setHeader("x-forwarded-for", freshIp()))
      const client = yield* HttpApiClient.make(Api, { baseUrl, transformClient: address })
      const session = yield* client.auth.signup({ payload: { email, password, nickname: "Effect" } })
      const signedIn = yield* HttpApiClient.make(Api, {
        baseUrl,
        transformClient: (http) =>
          address(http).pipe(HttpClient.mapRequest(HttpClientRequest.bearerToken(session.accessToken)))
      })
      const me = yield* signedIn.me.get()
      assert.strictEqual(me.email, email)
      const refused = yield* client.auth.login({ payload: { email, password: "not the password" } }).pipe(
        Effect.map(() => "signed in"),
        Effect.catchTag("InvalidCredentials", (error) => Effect.succeed(error._tag))
      )
      assert.strictEqual(refused, "InvalidCredentials")
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )
})
