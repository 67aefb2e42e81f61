import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createGroup, signUp, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000" })

interface Change {
  readonly field: string
  readonly before: string | null
  readonly after: string | null
}

interface Version {
  readonly id: string
  readonly number: number
  readonly action: string
  readonly actorId: string | null
  readonly changes: ReadonlyArray<Change>
  readonly restoredFrom: number | null
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

/** Every version of an event, page by page (2 at a time). */
const allVersions = (user: TestUser, eventId: string) =>
  Effect.gen(function* () {
    const found: Array<Version> = []
    let cursor: string | null = null
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${encodeURIComponent(cursor)}`
      const body = expectStatus(
        yield* call("GET", `/api/v1/events/${eventId}/versions${query}`, { token: user.token }),
        200
      ).body
      found.push(...(body.items as ReadonlyArray<Version>))
      cursor = typeof body.nextCursor === "string" ? body.nextCursor : null
    } while (cursor !== null)
    return found
  })

const fieldsOf = (version: Version | undefined) => (version?.changes ?? []).map((change) => change.field).sort()

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Event versions", (it) => {
  it.effect("every change is a version, listed in order with the fields it changed; restore makes a new one", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Version host")
      const helper = yield* signUp("Version helper")
      const groupId = yield* createGroup(host, { name: "Versioned" })
      yield* join(helper, groupId)
      const created = expectStatus(
        yield* call("POST", `/api/v1/groups/${groupId}/events`, {
          token: host.token,
          body: {
            title: "Walk",
            description: "Bring water",
            start: "2030-07-16T19:00",
            end: "2030-07-16T21:00",
            timeZone: "Europe/Berlin",
            recurrence: { frequency: "weekly", count: 3 }
          }
        }),
        201
      ).body
      const eventId = String(created.id)
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, {
          token: host.token,
          body: { title: "Evening walk", start: "2030-07-16T18:00" }
        }),
        200
      )
      expectStatus(yield* call("PUT", `/api/v1/events/${eventId}/cohosts/${helper.userId}`, { token: host.token }), 200)
      expectStatus(
        yield* call("PATCH", `/api/v1/events/${eventId}`, {
          token: helper.token,
          body: { scope: "this", occurrence: "2030-07-23T18:00", start: "2030-07-23T17:00" }
        }),
        200
      )
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/occurrences/2030-07-30T18:00/cancel`, {
          token: host.token,
          body: { reason: "Holiday" }
        }),
        200
      )
      expectStatus(
        yield* call("DELETE", `/api/v1/events/${eventId}/cohosts/${helper.userId}`, { token: host.token }),
        200
      )

      const listed = yield* allVersions(host, eventId)
      assert.deepStrictEqual(
        listed.map((version) => [version.number, version.action]),
        [
          [1, "created"],
          [2, "updated"],
          [3, "cohost_added"],
          [4, "occurrence_changed"],
          [5, "occurrence_cancelled"],
          [6, "cohost_removed"]
        ]
      )
      assert.includeMembers(fieldsOf(listed[0]), ["title", "description", "start", "end", "timeZone", "recurrence"])
      assert.deepStrictEqual(fieldsOf(listed[1]), ["start", "title"])
      assert.deepInclude(listed[1]?.changes ?? [], { field: "title", before: '"Walk"', after: '"Evening walk"' })
      assert.deepStrictEqual(listed[2]?.changes, [{ field: "cohosts", before: "[]", after: `["${helper.userId}"]` }])
      assert.deepStrictEqual(fieldsOf(listed[3]), [
        "occurrences.2030-07-23T18:00.end",
        "occurrences.2030-07-23T18:00.start"
      ])
      assert.strictEqual(listed[3]?.actorId, helper.userId)
      assert.deepStrictEqual(fieldsOf(listed[4]), [
        "occurrences.2030-07-30T18:00.cancelReason",
        "occurrences.2030-07-30T18:00.status"
      ])
      assert.strictEqual(listed[0]?.actorId, host.userId)

      const first = listed[0]
      if (first === undefined) return assert.fail("a first version")
      const restored = expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/versions/${first.id}/restore`, { token: host.token }),
        200
      ).body
      assert.deepInclude(restored, { title: "Walk", start: "2030-07-16T19:00", end: "2030-07-16T21:00" })
      const after = yield* allVersions(host, eventId)
      const last = after[after.length - 1]
      assert.strictEqual(after.length, 7)
      assert.deepInclude(last, { number: 7, action: "restored", restoredFrom: 1, actorId: host.userId })
      assert.deepStrictEqual(fieldsOf(last), ["start", "title"])

      // Any two versions compare by the state each left: the first and the restore are alike, the
      // first and the second differ in what the edit changed, in either order.
      const second = after[1]
      if (second === undefined || last === undefined) return assert.fail("versions")
      const compare = (from: string, to: string) =>
        Effect.map(
          call("GET", `/api/v1/events/${eventId}/versions/diff?from=${from}&to=${to}`, { token: host.token }),
          (response) => expectStatus(response, 200).json as { from: number; to: number; changes: ReadonlyArray<Change> }
        )
      assert.deepStrictEqual(yield* compare(first.id, last.id), { from: 1, to: 7, changes: [] })
      const forward = yield* compare(first.id, second.id)
      assert.deepStrictEqual(
        [forward.from, forward.to, forward.changes.map((change) => change.field).sort()],
        [1, 2, ["start", "title"]]
      )
      assert.deepInclude(forward.changes, { field: "title", before: '"Walk"', after: '"Evening walk"' })
      const backward = yield* compare(second.id, first.id)
      assert.deepInclude(backward.changes, { field: "title", before: '"Evening walk"', after: '"Walk"' })
      expectStatus(
        yield* call("GET", `/api/v1/events/${eventId}/versions/diff?from=${first.id}&to=${created.id}`, {
          token: host.token
        }),
        404,
        "EventVersionNotFound"
      )
      expectStatus(
        yield* call("GET", `/api/v1/events/${eventId}/versions/diff?from=${first.id}&to=${second.id}`, {
          token: helper.token
        }),
        403,
        "Forbidden"
      )

      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/cancel`, { token: host.token, body: { reason: "Rain" } }),
        200
      )
      const cancelled = (yield* allVersions(host, eventId)).at(-1)
      assert.strictEqual(cancelled?.action, "cancelled")
      assert.deepStrictEqual(fieldsOf(cancelled), ["cancelReason", "status"])
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/versions/${first.id}/restore`, { token: host.token }),
        409,
        "EventCancelled"
      )
    })
  )

  it.effect("members who may not edit are refused; unknown versions and bad cursors are 4xx", () =>
    Effect.gen(function* () {
      const host = yield* signUp("Version owner")
      const member = yield* signUp("Version member")
      const groupId = yield* createGroup(host, { name: "Versioned too" })
      yield* join(member, groupId)
      const eventId = String(
        expectStatus(
          yield* call("POST", `/api/v1/groups/${groupId}/events`, {
            token: host.token,
            body: { title: "Talk", start: "2030-07-16T19:00", end: "2030-07-16T21:00", timeZone: "UTC" }
          }),
          201
        ).body.id
      )
      expectStatus(yield* call("GET", `/api/v1/events/${eventId}/versions`, { token: member.token }), 403, "Forbidden")
      expectStatus(yield* call("GET", `/api/v1/events/${eventId}/versions`), 401)
      const [version] = yield* allVersions(host, eventId)
      if (version === undefined) return assert.fail("a version")
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/versions/${version.id}/restore`, { token: member.token }),
        403,
        "Forbidden"
      )
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/versions/0190a4c8-7b2e-7000-8000-000000000000/restore`, {
          token: host.token
        }),
        404,
        "EventVersionNotFound"
      )
      expectStatus(
        yield* call("GET", `/api/v1/events/${eventId}/versions?cursor=nonsense`, { token: host.token }),
        400,
        "InvalidCursor"
      )
      expectStatus(
        yield* call("POST", `/api/v1/events/${eventId}/versions/not-a-uuid/restore`, { token: host.token }),
        400
      )
    })
  )
})
