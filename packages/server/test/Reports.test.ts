import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createGroup, signUp, siteAdmin, type TestUser } from "./support/Actors.ts"
import { call, type JsonResponse } from "./support/Http.ts"
import * as TestServer from "./support/TestServer.ts"

const env = TestServer.testEnv({
  TRUST_PROXY: "true",
  RATE_LIMIT_USER: "100000",
  RATE_LIMIT_AUTH: "100000",
  REPORT_HIDE_THRESHOLD: "2"
})

interface ListedReport {
  readonly id: string
  readonly status: string
  readonly subject: { readonly kind: string; readonly id: string }
}

const expectStatus = (response: JsonResponse, status: number, tag?: string) => {
  assert.strictEqual(response.status, status, response.text)
  if (tag !== undefined) assert.strictEqual(response.body._tag, tag, response.text)
  return response
}

const items = <A>(response: JsonResponse) => expectStatus(response, 200).body.items as ReadonlyArray<A>

const join = (user: TestUser, groupId: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/join`, { token: user.token, body: {} }), (response) =>
    expectStatus(response, 200)
  )

const post = (author: TestUser, groupId: string, body: string) =>
  Effect.map(call("POST", `/api/v1/groups/${groupId}/posts`, { token: author.token, body: { body } }), (response) =>
    String(expectStatus(response, 201).body.id)
  )

const report = (user: TestUser, kind: string, id: string, reason = "spam", text?: string) =>
  call("POST", "/api/v1/reports", {
    token: user.token,
    body: { subject: { kind, id }, reason, ...(text === undefined ? {} : { text }) }
  })

const resolve = (user: TestUser, reportId: string, action: "dismiss" | "remove") =>
  call("POST", `/api/v1/reports/${reportId}/resolve`, { token: user.token, body: { action } })

/** A group with its owner, an admin, and two members, one of whom wrote a post. */
const community = Effect.gen(function* () {
  const owner = yield* signUp("Owner")
  const admin = yield* signUp("Admin")
  const author = yield* signUp("Author")
  const reader = yield* signUp("Reader")
  const other = yield* signUp("Other")
  const groupId = yield* createGroup(owner, { name: "Neighbours" })
  for (const user of [admin, author, reader, other]) yield* join(user, groupId)
  expectStatus(
    yield* call("PATCH", `/api/v1/groups/${groupId}/members/${admin.userId}`, {
      token: owner.token,
      body: { role: "admin" }
    }),
    200
  )
  const postId = yield* post(author, groupId, "Buy cheap watches at https://spam.example.com")
  return { owner, admin, author, reader, other, groupId, postId }
})

layer(TestServer.layer(env), { excludeTestServices: true, timeout: "120 seconds" })("Reports", (it) => {
  it.effect("a report lands in the group's queue and the site's; one open report per person and item", () =>
    Effect.gen(function* () {
      const { owner, admin, author, reader, groupId, postId } = yield* community
      const filed = expectStatus(yield* report(reader, "post", postId, "spam", "  Selling watches again  "), 201)
      assert.deepInclude(filed.body, {
        subject: { kind: "post", id: postId },
        groupId,
        excerpt: "Buy cheap watches at https://spam.example.com",
        reason: "spam",
        text: "Selling watches again",
        status: "open",
        resolvedAt: null
      })
      expectStatus(yield* report(reader, "post", postId, "other"), 409, "AlreadyReported")
      expectStatus(yield* report(author, "post", postId), 403, "Forbidden")
      expectStatus(yield* report(reader, "user", reader.userId), 403, "Forbidden")

      for (const moderator of [owner, admin]) {
        const queue = items<ListedReport>(
          yield* call("GET", `/api/v1/groups/${groupId}/reports`, { token: moderator.token })
        )
        assert.deepStrictEqual(
          queue.map((listed) => listed.id),
          [filed.body.id]
        )
      }
      expectStatus(yield* call("GET", `/api/v1/groups/${groupId}/reports`, { token: reader.token }), 403, "Forbidden")
      expectStatus(yield* call("GET", "/api/v1/reports", { token: owner.token }), 403, "Forbidden")
      const siteAdminUser = yield* siteAdmin
      const site = items<ListedReport>(yield* call("GET", "/api/v1/reports?kind=post", { token: siteAdminUser.token }))
      assert.isTrue(site.some((listed) => listed.id === filed.body.id))
      assert.deepStrictEqual(
        items<ListedReport>(yield* call("GET", "/api/v1/me/reports", { token: reader.token })).map((r) => r.id),
        [filed.body.id]
      )
      // Nobody else reads my reports.
      assert.deepStrictEqual(items(yield* call("GET", "/api/v1/me/reports", { token: owner.token })), [])
    })
  )

  it.effect("what a person may not see cannot be reported; bad reports are 400s", () =>
    Effect.gen(function* () {
      const owner = yield* signUp("Owner")
      const outsider = yield* signUp("Outsider")
      const closed = yield* createGroup(owner, { name: "Closed circle", visibility: "private" })
      const secret = yield* post(owner, closed, "Members only")
      const comment = String(
        expectStatus(
          yield* call("POST", `/api/v1/posts/${secret}/comments`, { token: owner.token, body: { body: "hidden" } }),
          201
        ).body.id
      )
      for (const [kind, id] of [
        ["post", secret],
        ["comment", comment],
        ["group", closed],
        ["user", crypto.randomUUID()],
        ["post", crypto.randomUUID()]
      ] as const) {
        expectStatus(yield* report(outsider, kind, id), 404, "ReportSubjectNotFound")
      }
      expectStatus(yield* report(outsider, "post", "not-a-uuid"), 400, "InvalidRequest")
      expectStatus(yield* report(outsider, "user", owner.userId, "rudeness"), 400, "InvalidRequest")
      expectStatus(yield* report(outsider, "user", owner.userId, "spam", "x".repeat(1001)), 400, "InvalidRequest")
      expectStatus(yield* report(outsider, "user", owner.userId), 201)
      expectStatus(yield* call("POST", "/api/v1/reports", { body: {} }), 401, "Unauthorized")
    })
  )

  it.effect("enough reporters hide a post pending review; dismissing resolves every report and shows it again", () =>
    Effect.gen(function* () {
      const { owner, admin, author, reader, other, groupId, postId } = yield* community
      const first = String(expectStatus(yield* report(reader, "post", postId), 201).body.id)
      // One report hides nothing.
      expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: other.token }), 200)
      const second = String(expectStatus(yield* report(other, "post", postId, "hate"), 201).body.id)

      // Hidden: gone for readers on every path, still there for its author and the moderators.
      for (const token of [reader.token, other.token, undefined]) {
        expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token }), 404, "PostNotFound")
        const listed = items<{ id: string }>(yield* call("GET", `/api/v1/groups/${groupId}/posts`, { token }))
        assert.isFalse(
          listed.some((p) => p.id === postId),
          "hidden from the group's list"
        )
        const found = items<{ id: string }>(yield* call("GET", "/api/v1/posts?q=watches", { token }))
        assert.isFalse(
          found.some((p) => p.id === postId),
          "hidden from search"
        )
      }
      expectStatus(yield* call("GET", `/api/v1/posts/${postId}/comments`, { token: reader.token }), 404, "PostNotFound")
      for (const user of [author, owner, admin]) {
        const seen = expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: user.token }), 200)
        assert.isTrue(seen.body.hidden)
      }

      // A member may not resolve; a moderator dismisses one report, and so both.
      expectStatus(yield* resolve(reader, first, "dismiss"), 404, "ReportNotFound")
      const dismissed = expectStatus(yield* resolve(admin, second, "dismiss"), 200)
      assert.deepInclude(dismissed.body, { status: "dismissed", resolvedBy: admin.userId })
      expectStatus(yield* resolve(owner, first, "remove"), 409, "ReportResolved")
      const mine = items<ListedReport>(yield* call("GET", "/api/v1/me/reports", { token: reader.token }))
      assert.deepStrictEqual(
        mine.map((r) => [r.id, r.status]),
        [[first, "dismissed"]]
      )
      const shown = expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: reader.token }), 200)
      assert.isFalse(shown.body.hidden)
      assert.deepStrictEqual(items(yield* call("GET", `/api/v1/groups/${groupId}/reports`, { token: owner.token })), [])
      const resolved = items<ListedReport>(
        yield* call("GET", `/api/v1/groups/${groupId}/reports?status=resolved`, { token: owner.token })
      )
      assert.deepStrictEqual(new Set(resolved.map((r) => r.id)), new Set([first, second]))

      // Once resolved, the same people may report it again.
      expectStatus(yield* report(reader, "post", postId), 201)
    })
  )

  it.effect("removing takes the item down through its own feature: comment, post, user, group", () =>
    Effect.gen(function* () {
      const { owner, author, reader, groupId, postId } = yield* community
      const comment = String(
        expectStatus(
          yield* call("POST", `/api/v1/posts/${postId}/comments`, { token: author.token, body: { body: "Buy more" } }),
          201
        ).body.id
      )
      const onComment = String(expectStatus(yield* report(reader, "comment", comment, "spam"), 201).body.id)
      expectStatus(yield* resolve(owner, onComment, "remove"), 200)
      assert.deepStrictEqual(items(yield* call("GET", `/api/v1/posts/${postId}/comments`)), [])

      const onPost = String(expectStatus(yield* report(reader, "post", postId), 201).body.id)
      const removed = expectStatus(yield* resolve(owner, onPost, "remove"), 200)
      assert.strictEqual(removed.body.status, "removed")
      expectStatus(yield* call("GET", `/api/v1/posts/${postId}`, { token: owner.token }), 404, "PostNotFound")

      // Reports of people and groups are the site admins' alone.
      const onUser = String(expectStatus(yield* report(reader, "user", author.userId, "harassment"), 201).body.id)
      const onGroup = String(expectStatus(yield* report(reader, "group", groupId, "illegal"), 201).body.id)
      assert.deepStrictEqual(items(yield* call("GET", `/api/v1/groups/${groupId}/reports`, { token: owner.token })), [])
      expectStatus(yield* resolve(owner, onUser, "remove"), 404, "ReportNotFound")
      const admin = yield* siteAdmin
      expectStatus(yield* resolve(admin, onUser, "remove"), 200)
      expectStatus(yield* call("GET", "/api/v1/me", { token: author.token }), 403, "AccountSuspended")
      expectStatus(yield* resolve(admin, onGroup, "remove"), 200)
      expectStatus(yield* call("GET", `/api/v1/groups/${groupId}`, { token: reader.token }), 404, "GroupNotFound")
      const mine = items<ListedReport>(yield* call("GET", "/api/v1/me/reports", { token: reader.token }))
      assert.deepStrictEqual(
        mine.map((r) => r.status),
        ["removed", "removed", "removed", "removed"]
      )
    })
  )
})
