import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import fc from "fast-check"
import { password, signUp, type TestUser } from "./support/Actors.ts"
import { call, freshEmail } from "./support/Http.ts"
import { serviceAccount } from "./support/MobilePushCredentials.ts"
import { type JsonValue, OpenApiArbitraries, type Schema } from "./support/OpenApiArbitrary.ts"
import { freshPhone, latestCode } from "./support/SmsOutbox.ts"
import * as TestServer from "./support/TestServer.ts"

/**
 * A property test over every operation of the served OpenAPI document: generated valid and invalid
 * path ids, queries, bodies and credentials. Whatever is sent, the server answers without a 5xx,
 * every 4xx has a JSON body with `_tag` and `message`, every status is one the document declares
 * for the operation, every header the document declares for that status is sent, and data that
 * belongs to someone else reads back unchanged afterwards.
 *
 * CI runs a fixed seed and a bounded count; run it long with
 * `MOIM_PROPERTY_SEED=<n> MOIM_PROPERTY_RUNS=<n> npx vitest run packages/server/test/OpenApiProperty.test.ts`.
 */
const seed = Number(process.env.MOIM_PROPERTY_SEED ?? 20261201)
const runs = Number(process.env.MOIM_PROPERTY_RUNS ?? 20)

// FCM credentials, so that registering a phone reaches its handler (no worker runs: nothing is sent).
const env = TestServer.testEnv({
  TRUST_PROXY: "true",
  RATE_LIMIT_USER: "1000000",
  RATE_LIMIT_AUTH: "1000000",
  FCM_SERVICE_ACCOUNT: serviceAccount().json
})

const methods = ["get", "post", "put", "patch", "delete"] as const

interface Operation {
  readonly method: (typeof methods)[number]
  readonly path: string
  readonly spec: Schema
}

interface Generated {
  readonly params: Record<string, string>
  readonly query: { readonly [name: string]: JsonValue | undefined }
  readonly body:
    | { readonly kind: "none" }
    | { readonly kind: "json"; readonly value: JsonValue }
    | { readonly kind: "text"; readonly text: string }
  readonly auth: "actor" | "none" | "expired" | "basic"
}

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const operationsOf = (document: Schema): ReadonlyArray<Operation> => {
  const paths = isSchema(document.paths) ? document.paths : {}
  return Object.entries(paths).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const spec = isSchema(item) ? item[method] : undefined
      return isSchema(spec) ? [{ method, path, spec }] : []
    })
  )
}

const parametersOf = (operation: Operation, location: "path" | "query") =>
  (Array.isArray(operation.spec.parameters) ? operation.spec.parameters : []).filter(
    (parameter): parameter is Schema & { readonly name: string } =>
      isSchema(parameter) && parameter.in === location && typeof parameter.name === "string"
  )

const bodySchemaOf = (operation: Operation) => {
  const body = operation.spec.requestBody
  const content = isSchema(body) && isSchema(body.content) ? body.content["application/json"] : undefined
  return isSchema(content) ? { schema: content.schema, required: isSchema(body) && body.required === true } : undefined
}

/** The headers a response of `status` is documented to carry, resolving `$ref`s. */
const documentedHeaders = (document: Schema, operation: Operation, status: number): ReadonlyArray<string> => {
  const components = isSchema(document.components) ? document.components : {}
  const responses = isSchema(operation.spec.responses) ? operation.spec.responses : {}
  let response = responses[String(status)]
  if (isSchema(response) && typeof response.$ref === "string") {
    const responseComponents = isSchema(components.responses) ? components.responses : {}
    response = responseComponents[response.$ref.split("/").at(-1) ?? ""]
  }
  // A header marked `required: false` comes with some of a status's bodies only (Retry-After with
  // IdempotencyKeyInProgress, not with the operation's own 409s).
  return isSchema(response) && isSchema(response.headers)
    ? Object.entries(response.headers)
        .filter(([, header]) => !(isSchema(header) && header.required === false))
        .map(([name]) => name)
    : []
}

// Not "." or "..": a client resolves those before sending, so they name another route, not a bad id.
interface Limited {
  readonly path: ReadonlyArray<string | number>
  readonly maxLength: number
}

const garbageIds = fc.constantFrom("nope", "1", "00000000-0000-0000-0000-00000000000g", "\u0000", "a/b", " ")

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "600 seconds" })(
  "every operation of the OpenAPI document",
  (it) => {
    it.effect(
      "answers generated valid and invalid requests as the document says, and changes nothing it must not",
      () =>
        Effect.gen(function* () {
          const base = yield* TestServer.baseUrl
          const document = (yield* call("GET", "/api/v1/openapi.json")).body
          const arbitraries = new OpenApiArbitraries(document)

          // Someone else's data, which nothing the fuzzed user does may change.
          const bystander = yield* signUp("Bystander")
          const created = yield* call("POST", "/api/v1/groups", {
            token: bystander.token,
            body: { name: "Bystander circle", category: "books", joinPolicy: "approval", tags: ["quiet"] }
          })
          const bystanderGroup = String(created.body.id)
          const event = { title: "Walk", start: "2030-07-16T19:00", end: "2030-07-16T21:00", timeZone: "Europe/Berlin" }
          const bystanderEvent = yield* call("POST", `/api/v1/groups/${bystanderGroup}/events`, {
            token: bystander.token,
            body: { ...event, capacity: 2 }
          })
          assert.strictEqual(bystanderEvent.status, 201, bystanderEvent.text)
          // An iCal feed, which the fuzzed user must not rotate or revoke.
          const bystanderFeed = yield* call("POST", "/api/v1/me/calendar-feeds", { token: bystander.token, body: {} })
          assert.strictEqual(bystanderFeed.status, 201, bystanderFeed.text)
          // A verified phone number, which the fuzzed user's phone operations must not take or change.
          const bystanderPhone = freshPhone()
          yield* call("POST", "/api/v1/me/phone-number", {
            token: bystander.token,
            body: { phoneNumber: bystanderPhone }
          })
          const phoneCode = yield* latestCode(env.MOIM_DATA_DIR ?? "", bystanderPhone)
          const verified = yield* call("POST", "/api/v1/me/phone-number/verify", {
            token: bystander.token,
            body: { code: phoneCode }
          })
          assert.strictEqual(verified.body.phoneNumber, bystanderPhone)
          // The group's `general` channel, with a message the fuzzed user must not edit or delete.
          const channelOf = (groupId: string, token: string) =>
            Effect.map(call("GET", `/api/v1/groups/${groupId}/channels`, { token }), (response) => {
              const [general] = response.body.items as ReadonlyArray<{ readonly id: string }>
              return general === undefined ? assert.fail(response.text) : general.id
            })
          const bystanderChannel = yield* channelOf(bystanderGroup, bystander.token)
          const bystanderMessage = yield* call("POST", `/api/v1/channels/${bystanderChannel}/messages`, {
            token: bystander.token,
            body: { body: "Welcome" }
          })
          assert.strictEqual(bystanderMessage.status, 201, bystanderMessage.text)
          // A phone, which the fuzzed user must not remove.
          const bystanderDevice = yield* call("POST", "/api/v1/me/mobile-devices", {
            token: bystander.token,
            body: { platform: "fcm", token: `bystander:${"x".repeat(40)}`, appId: "com.example.moim" }
          })
          assert.strictEqual(bystanderDevice.status, 201, bystanderDevice.text)
          // A linked OpenID identity (written as a finished link leaves it), which the fuzzed user must not unlink.
          const bystanderIdentity = randomUUID()
          const sql = yield* SqlClient.SqlClient
          yield* sql`
            INSERT INTO oidc_identities (id, user_id, provider, subject, email, created_at)
            VALUES (${bystanderIdentity}, ${bystander.userId}, 'acme', ${`subject-${bystanderIdentity}`}, NULL, now())`.pipe(
            Effect.orDie
          )
          const snapshot = Effect.all([
            call("GET", "/api/v1/me", { token: bystander.token }),
            call("GET", `/api/v1/groups/${bystanderGroup}`, { token: bystander.token }),
            call("GET", `/api/v1/groups/${bystanderGroup}/members`),
            call("GET", `/api/v1/events/${String(bystanderEvent.body.id)}`, { token: bystander.token }),
            call("GET", `/api/v1/users/${bystander.userId}`),
            call("GET", "/api/v1/me/sessions", { token: bystander.token }),
            call("GET", "/api/v1/me/settings", { token: bystander.token }),
            call("GET", `/api/v1/users/${bystander.userId}/following`),
            call("GET", `/api/v1/users/${bystander.userId}/friends`),
            call("GET", "/api/v1/me/blocks", { token: bystander.token }),
            call("GET", "/api/v1/me/feed", { token: bystander.token }),
            call("GET", "/api/v1/me/calendar-feeds", { token: bystander.token }),
            call("GET", `/api/v1/channels/${bystanderChannel}`, { token: bystander.token }),
            call("GET", `/api/v1/channels/${bystanderChannel}/messages`, { token: bystander.token }),
            call("GET", "/api/v1/me/mobile-devices", { token: bystander.token }),
            call("GET", "/api/v1/me/identities", { token: bystander.token })
          ]).pipe(
            Effect.map((responses) =>
              responses.map((response) =>
                // Sessions show when and from where they were last used (the snapshot's own reads, a
                // minute after the first, update both), and anyone may follow the bystander (a follower
                // count, and requests to follow); reading them, or following, is not changing them.
                JSON.stringify(response.json, (key, value) =>
                  key === "lastUsedAt" || key === "lastIp" || key === "followers" ? undefined : value
                )
              )
            )
          )
          const before = yield* snapshot

          // The fuzzed user, replaced when an operation (sign out, delete account) ends their session.
          let actor: TestUser = yield* signUp("Fuzzed")
          const ownGroup = yield* call("POST", "/api/v1/groups", {
            token: actor.token,
            body: { name: "Fuzzed group", category: "games" }
          })
          const ownEvent = yield* call("POST", `/api/v1/groups/${String(ownGroup.body.id)}/events`, {
            token: actor.token,
            body: event
          })
          const ownFeed = yield* call("POST", "/api/v1/me/calendar-feeds", { token: actor.token, body: {} })
          const feedId = (response: typeof ownFeed) =>
            typeof response.body.feed === "object" && response.body.feed !== null && "id" in response.body.feed
              ? String(response.body.feed.id)
              : assert.fail(response.text)
          const ownChannel = yield* channelOf(String(ownGroup.body.id), actor.token)
          const ownMessage = yield* call("POST", `/api/v1/channels/${ownChannel}/messages`, {
            token: actor.token,
            body: { body: "Mine" }
          })
          const knownIds = [
            bystanderChannel,
            String(bystanderMessage.body.id),
            ownChannel,
            String(ownMessage.body.id),
            bystander.userId,
            bystanderGroup,
            String(bystanderEvent.body.id),
            feedId(bystanderFeed),
            String(bystanderDevice.body.id),
            bystanderIdentity,
            actor.userId,
            String(ownGroup.body.id),
            String(ownEvent.body.id),
            feedId(ownFeed)
          ]
          // Ids of the kind a path names (`/channels/{id}`: channels), half the time, so that an
          // operation on a kind with few known ids still reaches its handler.
          const idsOfKind: Record<string, ReadonlyArray<string>> = {
            channels: [bystanderChannel, ownChannel],
            messages: [String(bystanderMessage.body.id), String(ownMessage.body.id)],
            "mobile-devices": [String(bystanderDevice.body.id)],
            identities: [bystanderIdentity]
          }
          const idArbitraryFor = (path: string, name: string) => {
            const kind = path.split("/").at(path.split("/").indexOf(`{${name}}`) - 1) ?? ""
            const ofKind = idsOfKind[kind]
            return fc.oneof(
              ...(ofKind === undefined ? [] : [{ weight: 4, arbitrary: fc.constantFrom(...ofKind) }]),
              { weight: 4, arbitrary: fc.constantFrom(...knownIds) },
              { weight: 1, arbitrary: fc.uuid() },
              { weight: 1, arbitrary: garbageIds }
            )
          }
          /**
           * Puts the fuzzed user (back) in their group: operations that leave it would otherwise leave
           * every later operation on what lives in it (its channels) nothing to act on.
           */
          const rejoin = () =>
            fetch(`${base}/api/v1/groups/${String(ownGroup.body.id)}/join`, {
              method: "POST",
              headers: {
                authorization: `Bearer ${actor.token}`,
                "content-type": "application/json",
                "x-forwarded-for": "198.51.100.77"
              },
              body: "{}"
            }).then((response) => response.text())
          /** Signs a new fuzzed user up when an operation (sign out, delete account) ended the last one's session. */
          const replaceActor = async () => {
            const email = freshEmail("fuzzed")
            const response = await fetch(`${base}/api/v1/auth/signup`, {
              method: "POST",
              headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.77" },
              body: JSON.stringify({ email, password, nickname: "Fuzzed" })
            })
            const body: unknown = await response.json()
            assert.strictEqual(response.status, 201)
            if (isSchema(body) && isSchema(body.user)) {
              actor = { userId: String(body.user.id), email, token: String(body.accessToken) }
              // The new user joins the first one's group, so that what lives in it (its channels) stays theirs to use.
              await rejoin()
            }
          }

          const requestFor = (operation: Operation): fc.Arbitrary<Generated> => {
            const params: Record<string, fc.Arbitrary<string>> = {}
            for (const parameter of parametersOf(operation, "path")) {
              params[parameter.name] = idArbitraryFor(operation.path, parameter.name)
            }
            // Each query parameter: left out half the time unless required, else valid five times in six.
            const query: Record<string, fc.Arbitrary<JsonValue | undefined>> = {}
            for (const parameter of parametersOf(operation, "query")) {
              const value = fc.oneof(
                { weight: 3, arbitrary: arbitraries.valid(parameter.schema) },
                { weight: 1, arbitrary: arbitraries.invalid(parameter.schema) }
              )
              query[parameter.name] =
                parameter.required === true ? value : fc.option(value, { nil: undefined, freq: 2 })
            }
            const body = bodySchemaOf(operation)
            const bodies: fc.Arbitrary<Generated["body"]> =
              body === undefined
                ? fc.constant({ kind: "none" })
                : fc.oneof(
                    {
                      weight: 4,
                      arbitrary: arbitraries.valid(body.schema).map((value) => ({ kind: "json", value }) as const)
                    },
                    {
                      weight: 3,
                      arbitrary: arbitraries.invalidBody(body.schema).map((value) => ({ kind: "json", value }) as const)
                    },
                    {
                      weight: 1,
                      arbitrary: fc
                        .constantFrom("{", "[1,", "nul", "\u0000")
                        .map((text) => ({ kind: "text", text }) as const)
                    },
                    { weight: body.required ? 1 : 2, arbitrary: fc.constant({ kind: "none" } as const) }
                  )
            return fc.record({
              params: fc.record(params),
              query: fc
                .record(query)
                .map((values) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined))),
              body: bodies,
              auth: fc.oneof(
                { weight: 6, arbitrary: fc.constant("actor" as const) },
                { weight: 1, arbitrary: fc.constantFrom("none" as const, "expired" as const, "basic" as const) }
              )
            })
          }

          const send = (operation: Operation, request: Generated) => {
            const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
              encodeURIComponent(request.params[name] ?? "")
            )
            const search = new URLSearchParams()
            for (const [key, value] of Object.entries(request.query)) {
              // An array is the parameter repeated, as clients send it.
              for (const item of Array.isArray(value) ? value : [value]) {
                search.append(key, typeof item === "string" ? item : JSON.stringify(item))
              }
            }
            const headers: Record<string, string> = { origin: "http://localhost:5173" }
            if (request.auth === "actor") headers.authorization = `Bearer ${actor.token}`
            if (request.auth === "expired") headers.authorization = "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"
            if (request.auth === "basic") headers.authorization = "Basic dXNlcjpwYXNz"
            const body =
              request.body.kind === "json"
                ? JSON.stringify(request.body.value)
                : request.body.kind === "text"
                  ? request.body.text
                  : undefined
            if (body !== undefined) headers["content-type"] = "application/json"
            const query = search.size > 0 ? `?${search}` : ""
            return fetch(`${base}${path}${query}`, {
              method: operation.method.toUpperCase(),
              headers,
              redirect: "manual",
              ...(body === undefined ? {} : { body })
            })
          }

          /** The body; of an event stream, which does not end, the first event (then the stream is closed). */
          const bodyOf = async (response: Response): Promise<string> => {
            if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) return response.text()
            const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader()
            const first = await reader?.read()
            await reader?.cancel()
            const text = first?.done === false ? first.value : ""
            assert.include(text, "event: stream.ready", "an event stream starts with stream.ready")
            return text
          }

          const check = async (operation: Operation, request: Generated) => {
            const response = await send(operation, request)
            const text = await bodyOf(response)
            const where = `${operation.method.toUpperCase()} ${operation.path} -> ${response.status} ${text.slice(0, 300)}`
            assert.isBelow(response.status, 500, where)
            const responses = isSchema(operation.spec.responses) ? operation.spec.responses : {}
            const declared = String(response.status) in responses || (response.status === 302 && "302" in responses)
            assert.isTrue(declared, `undeclared status: ${where}`)
            if (response.status >= 400) {
              assert.strictEqual(response.headers.get("content-type"), "application/json", where)
              const parsed: unknown = JSON.parse(text)
              assert.isTrue(
                isSchema(parsed) && typeof parsed._tag === "string" && typeof parsed.message === "string",
                where
              )
            }
            for (const header of documentedHeaders(document, operation, response.status)) {
              assert.isNotNull(response.headers.get(header), `documented header ${header} missing: ${where}`)
            }
            seen.set(operation, [...(seen.get(operation) ?? []), response.status])
            if (response.status === 401 && request.auth === "actor") await replaceActor()
          }
          const seen = new Map<Operation, Array<number>>()

          const operations = operationsOf(document)
          assert.isAbove(operations.length, 40)
          for (const [index, operation] of operations.entries()) {
            yield* Effect.promise(rejoin)
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(requestFor(operation), (request) => check(operation, request)),
                { seed: seed + index, numRuns: runs, endOnFailure: true }
              )
            )
          }

          // The generators reach the handlers, not only validation: many operations succeed at least once
          // (the rest need a secret no generator can guess, such as an emailed token or a password).
          const succeeded = operations.filter((operation) => (seen.get(operation) ?? []).some((status) => status < 300))
          assert.isAbove(
            succeeded.length / operations.length,
            0.4,
            `succeeded at least once: ${succeeded.length} of ${operations.length}; never: ${operations
              .filter((o) => !succeeded.includes(o))
              .map((o) => `${o.method} ${o.path} ${JSON.stringify(seen.get(o))}`)
              .join("; ")}`
          )
          assert.deepStrictEqual(yield* snapshot, before, "the bystander's data reads back unchanged")
          const again = yield* call("POST", "/api/v1/auth/login", { body: { email: bystander.email, password } })
          assert.strictEqual(again.status, 200, "the bystander can still sign in")
          assert.strictEqual(
            (yield* call("POST", "/api/v1/auth/password-reset", { body: { email: freshEmail() } })).status,
            202
          )
        }),
      // Some 190 operations, 20 requests each: about half a minute alone, more on a busy machine.
      240_000
    )

    it.effect("refuses a string one character over every maxLength the document gives a request field", () =>
      Effect.gen(function* () {
        const document = (yield* call("GET", "/api/v1/openapi.json")).body
        const arbitraries = new OpenApiArbitraries(document)
        const user = yield* signUp("Limits")

        /** String fields of a schema with a documented maxLength, by path (array items as index 0). */
        const limited = (input: unknown, path: ReadonlyArray<string | number>, depth = 0): Array<Limited> => {
          const schema = arbitraries.resolve(input)
          if (depth > 3) return []
          const members = Array.isArray(schema.anyOf) ? schema.anyOf.map((member) => arbitraries.resolve(member)) : []
          const text = [schema, ...members].find((member) => member.type === "string")
          if (text !== undefined && typeof text.maxLength === "number" && text.format !== "uuid") {
            return [{ path, maxLength: text.maxLength }]
          }
          const array = [schema, ...members].find((member) => member.type === "array")
          if (array !== undefined) return limited(array.items, [...path, 0], depth + 1)
          const properties = isSchema(schema.properties) ? schema.properties : {}
          return Object.entries(properties).flatMap(([key, property]) => limited(property, [...path, key], depth + 1))
        }

        let checked = 0
        for (const operation of operationsOf(document)) {
          // An occurrence of an event is named by its local start, every other path parameter by an id.
          const path = operation.path
            .replace("{occurrence}", "2030-07-16T19:00")
            .replace(/\{[^}]+\}/g, "01890000-0000-7000-8000-000000000000")
          const fields = [
            ...parametersOf(operation, "query").flatMap((parameter) =>
              limited(parameter.schema, ["query", parameter.name])
            ),
            ...limited(bodySchemaOf(operation)?.schema, ["payload"])
          ]
          for (const field of fields) {
            const tooLong = "a".repeat(field.maxLength + 1)
            const [part, ...keys] = field.path
            const nest = (rest: ReadonlyArray<string | number>): JsonValue =>
              rest.length === 0
                ? tooLong
                : typeof rest[0] === "number"
                  ? [nest(rest.slice(1))]
                  : { [String(rest[0])]: nest(rest.slice(1)) }
            const response =
              part === "query"
                ? yield* call(operation.method.toUpperCase(), `${path}?${keys[0]}=${tooLong}`, { token: user.token })
                : yield* call(operation.method.toUpperCase(), path, { token: user.token, body: nest(keys) })
            const where = `${operation.method.toUpperCase()} ${operation.path} ${field.path.join(".")}: ${response.text.slice(0, 300)}`
            assert.strictEqual(response.status, 400, where)
            const issues = response.body.issues as ReadonlyArray<{
              readonly path: ReadonlyArray<string | number>
              readonly message: string
            }>
            assert.isTrue(
              issues.some((issue) => issue.path.join(".") === field.path.join(".") && /characters/.test(issue.message)),
              where
            )
            checked++
          }
        }
        assert.isAbove(checked, 30)
      })
    )
  }
)
