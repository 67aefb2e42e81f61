import { randomUUID } from "node:crypto"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { AccountsConfig } from "../src/Accounts/AccountsConfig.ts"
import { purgeExpiredCredentials } from "../src/Accounts/CredentialsPurge.ts"
import { EmailTokensRepo } from "../src/Accounts/EmailTokensRepo.ts"
import { PhoneCodesRepo } from "../src/Accounts/PhoneCodesRepo.ts"
import { SessionCache } from "../src/Accounts/SessionCache.ts"
import { SessionsRepo } from "../src/Accounts/SessionsRepo.ts"
import { TwoFactorRepo } from "../src/Accounts/TwoFactorRepo.ts"
import { MessagesPurgeLive, purgeDeletedMessages } from "../src/Chat/MessagesPurge.ts"
import { NotificationsPurgeLive, purgeReadNotifications } from "../src/Notifications/NotificationsPurge.ts"
import { PostsPurgeLive, purgeDeletedPosts } from "../src/Posts/PostsPurge.ts"
import * as TestServer from "./support/TestServer.ts"

// Read notifications are kept 10 days here (90 by default), to show the setting is read.
const env = TestServer.testEnv({ NOTIFICATION_RETENTION: "10 days" })

const Repos = Layer.mergeAll(
  SessionsRepo.layer.pipe(Layer.provide(SessionCache.layer)),
  EmailTokensRepo.layer,
  PhoneCodesRepo.layer,
  TwoFactorRepo.layer,
  AccountsConfig.layer,
  PostsPurgeLive,
  MessagesPurgeLive,
  NotificationsPurgeLive
)

const ago = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000)

const insertUser = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const id = randomUUID()
  yield* sql`
    INSERT INTO users (id, email, nickname, created_at, updated_at)
    VALUES (${id}, ${`cleanup-${id}@example.com`}, 'Cleanup', now(), now())`
  return id
})

const ids = (rows: ReadonlyArray<{ readonly id: string }>) => rows.map((row) => row.id).sort()

layer(Repos.pipe(Layer.provideMerge(TestServer.platformLayer(env)), Layer.provideMerge(TestServer.configLayer(env))), {
  excludeTestServices: true
})("Cleanup crons", (it) => {
  it.effect("ended sessions with their refresh tokens, and expired tokens and codes; nothing else", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const user = yield* insertUser
      const session = (name: string, expiresAt: Date, revokedAt: Date | null) =>
        Effect.gen(function* () {
          const id = randomUUID()
          yield* sql`
            INSERT INTO sessions (id, user_id, device_name, created_at, last_used_at, expires_at, revoked_at)
            VALUES (${id}, ${user}, ${name}, ${ago(60)}, ${ago(60)}, ${expiresAt}, ${revokedAt})`
          return id
        })
      const live = yield* session("live", ago(-20), null)
      const recentlyExpired = yield* session("expired a day ago", ago(1), null)
      const longExpired = yield* session("expired 8 days ago", ago(8), null)
      const longRevoked = yield* session("signed out 8 days ago", ago(-20), ago(8))
      const token = (hash: string, sessionId: string, spentAt: Date | null) =>
        sql`INSERT INTO refresh_tokens (token_hash, session_id, created_at, spent_at)
            VALUES (${hash}, ${sessionId}, ${ago(40)}, ${spentAt})`
      yield* token("old-session-1", longExpired, ago(9))
      yield* token("old-session-2", longExpired, null)
      yield* token("live-spent-long-ago", live, ago(31))
      yield* token("live-spent-today", live, ago(0))
      yield* token("live-current", live, null)
      const emailToken = (hash: string, expiresAt: Date, usedAt: Date | null) =>
        sql`INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at, used_at)
            VALUES (${hash}, ${user}, 'verify_email', 'x@example.com', ${ago(3)}, ${expiresAt}, ${usedAt})`
      yield* emailToken("expired-2-days", ago(2), null)
      yield* emailToken("used-2-days", ago(-1), ago(2))
      yield* emailToken("expired-an-hour", new Date(Date.now() - 60 * 60 * 1000), null)
      yield* emailToken("valid", ago(-1), null)
      yield* sql`
        INSERT INTO phone_codes (id, e164, purpose, code_hash, sent_at, expires_at)
        VALUES (${randomUUID()}, '+15550000001', 'sign_in', 'h1', ${ago(3)}, ${ago(2)}),
               (${randomUUID()}, '+15550000002', 'sign_in', 'h2', now(), ${ago(-1)})`
      yield* sql`
        INSERT INTO two_factor_challenges (token_hash, user_id, expires_at)
        VALUES ('challenge-expired-2-days', ${user}, ${ago(2)}), ('challenge-live', ${user}, ${ago(-1)})`

      const removed = yield* purgeExpiredCredentials
      assert.deepStrictEqual(removed, {
        sessions: 2,
        refreshTokens: 3,
        emailTokens: 2,
        phoneCodes: 1,
        secondFactorChallenges: 1
      })
      const sessions = yield* sql<{ id: string }>`SELECT id FROM sessions`
      assert.deepStrictEqual(ids(sessions), [live, recentlyExpired].sort())
      assert.notInclude(ids(sessions), longRevoked)
      const tokens = yield* sql<{ tokenHash: string }>`SELECT token_hash FROM refresh_tokens ORDER BY token_hash`
      assert.deepStrictEqual(
        tokens.map((row) => row.tokenHash),
        ["live-current", "live-spent-today"]
      )
      const emails = yield* sql<{ tokenHash: string }>`SELECT token_hash FROM email_tokens ORDER BY token_hash`
      assert.deepStrictEqual(
        emails.map((row) => row.tokenHash),
        ["expired-an-hour", "valid"]
      )
      const codes = yield* sql<{ e164: string }>`SELECT e164 FROM phone_codes`
      assert.deepStrictEqual(
        codes.map((row) => row.e164),
        ["+15550000002"]
      )
      // Idempotent: a second run finds nothing.
      assert.deepStrictEqual(yield* purgeExpiredCredentials, {
        sessions: 0,
        refreshTokens: 0,
        emailTokens: 0,
        phoneCodes: 0,
        secondFactorChallenges: 0
      })
    }).pipe(Effect.orDie)
  )

  it.effect("posts deleted past their retention go with their comments and reactions; others stay", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const author = yield* insertUser
      const post = (deletedAt: Date | null) =>
        Effect.gen(function* () {
          const id = randomUUID()
          yield* sql`
            INSERT INTO posts (id, author_id, audience, body, search, created_at, activity_at, deleted_at)
            VALUES (${id}, ${author}, 'public', 'text', to_tsvector('simple', 'text'), ${ago(60)}, ${ago(60)}, ${deletedAt})`
          const comment = randomUUID()
          yield* sql`
            INSERT INTO comments (id, post_id, author_id, depth, body, created_at)
            VALUES (${comment}, ${id}, ${author}, 0, 'a comment', ${ago(50)})`
          yield* sql`
            INSERT INTO reactions (subject_kind, subject_id, user_id, emoji, created_at)
            VALUES ('post', ${id}, ${author}, 'like', now()), ('comment', ${comment}, ${author}, 'love', now())`
          yield* sql`
            INSERT INTO reaction_counts (subject_kind, subject_id, emoji, count)
            VALUES ('post', ${id}, 'like', 1), ('comment', ${comment}, 'love', 1)`
          yield* sql`INSERT INTO bookmarks (user_id, post_id, created_at) VALUES (${author}, ${id}, now())`
          return { id, comment }
        })
      const old = yield* post(ago(31))
      const recent = yield* post(ago(29))
      const kept = yield* post(null)

      assert.deepStrictEqual(yield* purgeDeletedPosts, { posts: 1 })
      assert.deepStrictEqual(ids(yield* sql<{ id: string }>`SELECT id FROM posts`), [recent.id, kept.id].sort())
      assert.deepStrictEqual(
        ids(yield* sql<{ id: string }>`SELECT id FROM comments`),
        [recent.comment, kept.comment].sort()
      )
      const reacted = yield* sql<{ id: string }>`SELECT subject_id AS id FROM reactions`
      assert.deepStrictEqual(ids(reacted), [recent.id, recent.comment, kept.id, kept.comment].sort())
      const counted = yield* sql<{ id: string }>`SELECT subject_id AS id FROM reaction_counts`
      assert.deepStrictEqual(ids(counted), [recent.id, recent.comment, kept.id, kept.comment].sort())
      assert.notInclude(ids(yield* sql<{ id: string }>`SELECT post_id AS id FROM bookmarks`), old.id)
      assert.deepStrictEqual(yield* purgeDeletedPosts, { posts: 0 })
    }).pipe(Effect.orDie)
  )

  it.effect("deleted messages lose their earlier texts past their retention and stay as placeholders", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const author = yield* insertUser
      const channel = randomUUID()
      yield* sql`
        INSERT INTO chat_channels (id, kind, direct_key, created_at, updated_at)
        VALUES (${channel}, 'direct', ${`cleanup:${channel}`}, now(), now())`
      const message = (seq: number, deletedAt: Date | null, threadRootId: string | null) =>
        Effect.gen(function* () {
          const id = randomUUID()
          yield* sql`
            INSERT INTO chat_messages (id, channel_id, seq, author_id, body, thread_root_id, created_at, deleted_at)
            VALUES (${id}, ${channel}, ${seq}, ${author}, ${deletedAt === null ? "still here" : ""}, ${threadRootId},
              ${ago(40)}, ${deletedAt})`
          yield* sql`
            INSERT INTO chat_message_edits (message_id, body, entities, replaced_at)
            VALUES (${id}, 'an earlier text', '[]', ${ago(39)})`
          return id
        })
      const oldRoot = yield* message(1, ago(31), null)
      const reply = yield* message(2, null, oldRoot)
      const recent = yield* message(3, ago(29), null)

      assert.deepStrictEqual(yield* purgeDeletedMessages, { edits: 1 })
      const edited = yield* sql<{ id: string }>`SELECT message_id AS id FROM chat_message_edits`
      assert.deepStrictEqual(ids(edited), [reply, recent].sort())
      const messages = yield* sql<{ id: string }>`SELECT id FROM chat_messages WHERE channel_id = ${channel}`
      assert.deepStrictEqual(ids(messages), [oldRoot, reply, recent].sort())
      assert.deepStrictEqual(yield* purgeDeletedMessages, { edits: 0 })
    }).pipe(Effect.orDie)
  )

  it.effect("notifications read past their retention go; unread and recently read ones stay", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const recipient = yield* insertUser
      const notification = (readAt: Date | null) =>
        Effect.gen(function* () {
          const id = randomUUID()
          yield* sql`
            INSERT INTO notifications (id, recipient_id, type, subject_kind, subject_id, data, created_at, updated_at, read_at)
            VALUES (${id}, ${recipient}, 'test', 'user', ${recipient}, '{}', ${ago(100)}, ${ago(100)}, ${readAt})`
          return id
        })
      yield* notification(ago(11))
      const recentlyRead = yield* notification(ago(9))
      const unread = yield* notification(null)
      assert.deepStrictEqual(yield* purgeReadNotifications, { notifications: 1 })
      assert.deepStrictEqual(
        ids(yield* sql<{ id: string }>`SELECT id FROM notifications`),
        [recentlyRead, unread].sort()
      )
      assert.deepStrictEqual(yield* purgeReadNotifications, { notifications: 0 })
    }).pipe(Effect.orDie)
  )
})
