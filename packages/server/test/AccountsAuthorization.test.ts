import { randomUUID } from "node:crypto"
import { IdentityId } from "@moim/domain/Accounts/Oidc"
import { SessionId } from "@moim/domain/Accounts/Session"
import { UserId } from "@moim/domain/Accounts/User"
import { Effect } from "effect"
import type { HttpServer } from "effect/http"
import { SqlClient } from "effect/sql"
import type { AccountAdmin } from "../src/Accounts/AccountAdmin.ts"
import { password, signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"
import { freshPhone } from "./support/SmsOutbox.ts"

type ActorName = "anonymous" | "user" | "suspended" | "siteAdmin"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "user", "suspended", "siteAdmin"]

interface World {
  readonly user: TestUser
  readonly suspended: TestUser
  readonly siteAdmin: TestUser
  /** Another user, whose device session the actors try to end. */
  readonly victim: TestUser
  readonly victimSession: SessionId
}

/** What making a cell needs: the database, the running server and, for a site admin, `AccountAdmin`. */
type Needs = SqlClient.SqlClient | HttpServer.HttpServer | AccountAdmin

interface AccountCell {
  readonly token: string | undefined
  /** A fresh user for the site-administration rows to act on. */
  readonly target: UserId
  /** A number nobody has used, for the phone rows. */
  readonly phone: string
}

/** A user written straight to the database (suspended or not), for an admin operation to act on. */
const freshTarget = (status: "active" | "suspended") =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = UserId.make(randomUUID())
    yield* sql`
      INSERT INTO users (id, email, password_hash, nickname, role, status, suspended_at, created_at, updated_at)
      VALUES (${id}, ${`target-${id}@example.com`}, NULL, 'Target', 'user', ${status},
        ${status === "suspended" ? new Date() : null}, now(), now())`
    return id
  }).pipe(Effect.orDie)

/** The actor's token from the shared world, for operations that leave their actor as it was. */
const shared = (world: World, actor: ActorName) =>
  Effect.map(freshTarget("active"), (target) => ({
    token: actor === "anonymous" ? undefined : world[actor].token,
    target,
    phone: freshPhone()
  }))

/**
 * A new actor for this cell alone, for operations that end sessions, change the password or delete
 * the account: they would spoil the shared actor for the rows after them.
 */
const fresh = (_world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const target = yield* freshTarget("active")
    const phone = freshPhone()
    if (actor === "anonymous") return { token: undefined, target, phone }
    const user =
      actor === "user" ? yield* signUp("Fresh") : actor === "suspended" ? yield* suspendedUser : yield* siteAdmin
    return { token: user.token, target, phone }
  })

/** The signed-in user may; nobody else. */
const signedIn = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  user: success,
  suspended,
  siteAdmin: success
})

/** Public reads: anyone may; a suspended user's token gives no identity, so they read as anyone. */
const publicRead: Record<ActorName, Expectation> = { anonymous: [200], user: [200], suspended: [200], siteAdmin: [200] }

/** Sign-in operations: the same for everyone, whatever token they send. */
const anyone = (outcome: Expectation): Record<ActorName, Expectation> => ({
  anonymous: outcome,
  user: outcome,
  suspended: outcome,
  siteAdmin: outcome
})

const unknownIdentity = IdentityId.make(randomUUID())

/** Only a site admin may. */
const adminOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  user: forbidden,
  suspended,
  siteAdmin: success
})

const rows: ReadonlyArray<Row<ActorName, World, AccountCell, Needs>> = [
  {
    operation: "read your account",
    setup: shared,
    rest: (c) => call("GET", "/api/v1/me", { token: c.token }),
    rpc: (_c, _w, client) => client.GetMe(),
    expect: signedIn([200])
  },
  {
    operation: "edit your profile",
    setup: shared,
    rest: (c) => call("PATCH", "/api/v1/me", { token: c.token, body: { bio: "Edited" } }),
    rpc: (_c, _w, client) => client.UpdateMe({ bio: "Edited" }),
    expect: signedIn([200])
  },
  {
    operation: "start an avatar upload",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/avatar-upload", { token: c.token, body: { contentType: "image/png" } }),
    rpc: (_c, _w, client) => client.CreateAvatarUpload({ contentType: "image/png" }),
    expect: signedIn([200])
  },
  {
    operation: "resend the verification email",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/verification-email", { token: c.token }),
    rpc: (_c, _w, client) => client.ResendVerification(),
    expect: signedIn([202])
  },
  {
    operation: "list your devices",
    setup: shared,
    rest: (c) => call("GET", "/api/v1/me/sessions", { token: c.token }),
    rpc: (_c, _w, client) => client.ListSessions(),
    expect: signedIn([200])
  },
  {
    operation: "sign another user's device out",
    setup: shared,
    rest: (c, w) => call("DELETE", `/api/v1/me/sessions/${w.victimSession}`, { token: c.token }),
    rpc: (_c, w, client) => client.RevokeSession({ id: w.victimSession }),
    expect: signedIn([404, "SessionNotFound"])
  },
  {
    operation: "change your password",
    setup: fresh,
    rest: (c) =>
      call("POST", "/api/v1/me/password", {
        token: c.token,
        body: { currentPassword: password, newPassword: "another horse battery" }
      }),
    rpc: (_c, _w, client) => client.ChangePassword({ currentPassword: password, newPassword: "another horse battery" }),
    expect: signedIn([204])
  },
  {
    operation: "sign out everywhere else",
    setup: fresh,
    rest: (c) => call("POST", "/api/v1/me/sessions/revoke-others", { token: c.token }),
    rpc: (_c, _w, client) => client.RevokeOtherSessions(),
    expect: signedIn([204])
  },
  {
    operation: "sign out",
    setup: fresh,
    rest: (c) => call("POST", "/api/v1/auth/logout", { token: c.token }),
    rpc: (_c, _w, client) => client.Logout(),
    expect: signedIn([204])
  },
  {
    operation: "delete your account",
    setup: fresh,
    rest: (c) => call("DELETE", "/api/v1/me", { token: c.token }),
    rpc: (_c, _w, client) => client.DeleteMe(),
    expect: signedIn([204])
  },
  {
    operation: "add a phone number",
    setup: fresh,
    rest: (c) => call("POST", "/api/v1/me/phone-number", { token: c.token, body: { phoneNumber: c.phone } }),
    rpc: (c, _w, client) => client.AddPhoneNumber({ phoneNumber: c.phone }),
    expect: signedIn([202])
  },
  {
    operation: "verify the number you are adding (none was texted to these actors)",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/phone-number/verify", { token: c.token, body: { code: "123456" } }),
    rpc: (_c, _w, client) => client.VerifyPhoneNumber({ code: "123456" }),
    expect: signedIn([400, "PhoneCodeExpired"])
  },
  {
    operation: "remove your phone number (these actors have none)",
    setup: shared,
    rest: (c) => call("DELETE", "/api/v1/me/phone-number", { token: c.token }),
    rpc: (_c, _w, client) => client.RemovePhoneNumber(),
    expect: signedIn([404, "PhoneNumberNotFound"])
  },
  {
    operation: "list your linked sign-in providers",
    setup: shared,
    rest: (c) => call("GET", "/api/v1/me/identities", { token: c.token }),
    rpc: (_c, _w, client) => client.ListIdentities(),
    expect: signedIn([200])
  },
  {
    operation: "start linking a provider (none is configured here)",
    setup: shared,
    rest: (c) =>
      call("POST", "/api/v1/me/identities/acme/start", {
        token: c.token,
        body: { redirectUri: "https://app.example.com/auth/done" }
      }),
    rpc: (_c, _w, client) =>
      client.StartOidcLink({ provider: "acme", redirectUri: "https://app.example.com/auth/done" }),
    expect: signedIn([404, "OidcProviderNotFound"])
  },
  {
    operation: "finish linking a provider (with a code nobody was given)",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/identities", { token: c.token, body: { code: "not-a-code" } }),
    rpc: (_c, _w, client) => client.LinkIdentity({ code: "not-a-code" }),
    expect: signedIn([400, "OidcCodeInvalid"])
  },
  {
    operation: "unlink a provider (these actors have none)",
    setup: shared,
    rest: (c) => call("DELETE", `/api/v1/me/identities/${unknownIdentity}`, { token: c.token }),
    rpc: (_c, _w, client) => client.UnlinkIdentity({ id: unknownIdentity }),
    expect: signedIn([404, "IdentityNotFound"])
  },
  {
    operation: "start signing in with a provider (anyone may; none is configured here)",
    setup: shared,
    rest: (c) =>
      call("POST", "/api/v1/auth/oidc/acme/start", {
        token: c.token,
        body: { redirectUri: "https://app.example.com/auth/done" }
      }),
    rpc: (_c, _w, client) =>
      client.StartOidcSignIn({ provider: "acme", redirectUri: "https://app.example.com/auth/done" }),
    expect: anyone([404, "OidcProviderNotFound"])
  },
  {
    operation: "finish signing in with a provider (anyone may; with a code nobody was given)",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/auth/oidc/exchange", { token: c.token, body: { code: "not-a-code" } }),
    rpc: (_c, _w, client) => client.ExchangeOidcCode({ code: "not-a-code" }),
    expect: anyone([400, "OidcCodeInvalid"])
  },
  {
    operation: "read your two-factor status",
    setup: shared,
    rest: (c) => call("GET", "/api/v1/me/two-factor", { token: c.token }),
    rpc: (_c, _w, client) => client.GetTwoFactor(),
    expect: signedIn([200])
  },
  {
    operation: "start turning on two-factor authentication",
    setup: fresh,
    rest: (c) => call("POST", "/api/v1/me/two-factor", { token: c.token }),
    rpc: (_c, _w, client) => client.StartTwoFactor(),
    expect: signedIn([201])
  },
  {
    operation: "confirm two-factor authentication (none started for these actors)",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/two-factor/confirm", { token: c.token, body: { code: "123456" } }),
    rpc: (_c, _w, client) => client.ConfirmTwoFactor({ code: "123456" }),
    expect: signedIn([409, "TwoFactorNotEnabled"])
  },
  {
    operation: "turn off two-factor authentication (it is off for these actors)",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/two-factor/disable", { token: c.token, body: { code: "123456" } }),
    rpc: (_c, _w, client) => client.DisableTwoFactor({ code: "123456" }),
    expect: signedIn([409, "TwoFactorNotEnabled"])
  },
  {
    operation: "new recovery codes (two-factor authentication is off for these actors)",
    setup: shared,
    rest: (c) => call("POST", "/api/v1/me/two-factor/recovery-codes", { token: c.token, body: { code: "123456" } }),
    rpc: (_c, _w, client) => client.RegenerateRecoveryCodes({ code: "123456" }),
    expect: signedIn([409, "TwoFactorNotEnabled"])
  },
  {
    operation: "finish a sign-in with a second factor (no token is read; an unknown challenge)",
    setup: shared,
    rest: (c) =>
      call("POST", "/api/v1/auth/login/second-factor", {
        token: c.token,
        body: { challenge: "not-a-challenge", code: "123456" }
      }),
    rpc: (_c, _w, client) => client.CompleteSecondFactor({ challenge: "not-a-challenge", code: "123456" }),
    expect: {
      anonymous: [401, "SecondFactorChallengeExpired"],
      user: [401, "SecondFactorChallengeExpired"],
      suspended: [401, "SecondFactorChallengeExpired"],
      siteAdmin: [401, "SecondFactorChallengeExpired"]
    }
  },
  {
    operation: "read a public profile",
    setup: shared,
    rest: (c, w) => call("GET", `/api/v1/users/${w.victim.userId}`, { token: c.token }),
    rpc: (_c, w, client) => client.GetUser({ id: UserId.make(w.victim.userId) }),
    expect: publicRead
  },
  {
    operation: "find users",
    setup: shared,
    rest: (c) => call("GET", "/api/v1/users?q=victim", { token: c.token }),
    rpc: (_c, _w, client) => client.SearchUsers({ q: "victim" }),
    expect: publicRead
  },
  {
    operation: "suspend a user",
    setup: shared,
    rest: (c) => call("POST", `/api/v1/admin/users/${c.target}/suspend`, { token: c.token, body: { reason: "spam" } }),
    rpc: (c, _w, client) => client.SuspendUser({ id: c.target, reason: "spam" }),
    expect: adminOnly([200])
  },
  {
    operation: "lift a suspension",
    setup: (world, actor) =>
      Effect.map(freshTarget("suspended"), (target) => ({
        token: actor === "anonymous" ? undefined : world[actor].token,
        target,
        phone: freshPhone()
      })),
    rest: (c) => call("POST", `/api/v1/admin/users/${c.target}/unsuspend`, { token: c.token }),
    rpc: (c, _w, client) => client.UnsuspendUser({ id: c.target }),
    expect: adminOnly([200])
  }
]

describeMatrix("Account authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const victim = yield* signUp("Victim")
    const sessions = yield* call("GET", "/api/v1/me/sessions", { token: victim.token })
    const [session] = sessions.json as ReadonlyArray<{ readonly id: string }>
    return {
      user: yield* signUp("User"),
      suspended: yield* suspendedUser,
      siteAdmin: yield* siteAdmin,
      victim,
      victimSession: SessionId.make(session?.id ?? "")
    } satisfies World
  }).pipe(Effect.orDie),
  rows
})
