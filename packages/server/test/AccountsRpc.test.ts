import { NodeSocket } from "@effect/platform-node"
import { assert, layer } from "@effect/vitest"
import { layerRpcClientMiddleware } from "@moim/domain/Kit/RpcClientMiddleware"
import { Rpcs } from "@moim/domain/Rpcs"
import { Effect, Layer, Option, Ref } from "effect"
import { FetchHttpClient } from "effect/http"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { AccountAdmin } from "../src/Accounts/AccountAdmin.ts"
import { freshEmail } from "./support/Http.ts"
import { expectSession } from "./support/SignIn.ts"
import * as TestServer from "./support/TestServer.ts"

const password = "correct horse battery"

/** The access token the RPC client middleware sends; each test sets it as it signs in. */
const token = Ref.makeUnsafe(Option.none<string>())
const authClient = layerRpcClientMiddleware(Ref.get(token))

const protocols = {
  http: Layer.unwrap(
    Effect.map(TestServer.baseUrl, (base) =>
      RpcClient.layerProtocolHttp({ url: `${base}/rpc` }).pipe(
        Layer.provide([FetchHttpClient.layer, RpcSerialization.layerNdjson])
      )
    )
  ),
  websocket: Layer.unwrap(
    Effect.map(TestServer.baseUrl, (base) =>
      RpcClient.layerProtocolSocket().pipe(
        Layer.provide([NodeSocket.layerWebSocket(`${base.replace("http", "ws")}/rpc/ws`), RpcSerialization.layerJson])
      )
    )
  )
}

layer(TestServer.layer(TestServer.testEnv({ RATE_LIMIT_AUTH: "1000" })), { excludeTestServices: true })(
  "Accounts over RPC",
  (it) => {
    for (const [name, protocol] of Object.entries(protocols)) {
      it.effect(`signs up, reads and edits the account, rotates tokens and signs out over ${name}`, () =>
        Effect.gen(function* () {
          const client = yield* RpcClient.make(Rpcs)
          yield* Ref.set(token, Option.none())
          const email = freshEmail()
          const signedUp = yield* client.Signup({ email, password, nickname: "Grace" })
          assert.strictEqual(signedUp.user.email, email)

          const anonymous = yield* client.GetMe().pipe(Effect.flip)
          assert.strictEqual(anonymous._tag, "Unauthorized")

          yield* Ref.set(token, Option.some(signedUp.accessToken))
          const me = yield* client.GetMe()
          assert.strictEqual(me.id, signedUp.user.id)
          const edited = yield* client.UpdateMe({ bio: "Compilers" })
          assert.strictEqual(edited.bio, "Compilers")

          const wrong = yield* client.Login({ email, password: "not the password" }).pipe(Effect.flip)
          assert.strictEqual(wrong._tag, "InvalidCredentials")

          const rotated = yield* client.Refresh({ refreshToken: signedUp.refreshToken })
          const reused = yield* client.Refresh({ refreshToken: signedUp.refreshToken }).pipe(Effect.flip)
          assert.strictEqual(reused._tag, "SessionRevoked")
          yield* Ref.set(token, Option.some(rotated.accessToken))
          assert.strictEqual((yield* client.GetMe().pipe(Effect.flip))._tag, "Unauthorized")

          const again = expectSession(yield* client.Login({ email, password, deviceName: name }))
          yield* Ref.set(token, Option.some(again.accessToken))
          const sessions = yield* client.ListSessions()
          assert.deepStrictEqual(
            sessions.filter((session) => session.current).map((session) => session.deviceName),
            [name]
          )
          const found = yield* client.SearchUsers({ q: "Grace" })
          assert.isTrue(found.items.some((user) => user.id === signedUp.user.id))

          const forbidden = yield* client.SuspendUser({ id: signedUp.user.id }).pipe(Effect.flip)
          assert.strictEqual(forbidden._tag, "Forbidden")

          yield* client.Logout()
          assert.strictEqual((yield* client.GetMe().pipe(Effect.flip))._tag, "Unauthorized")
        }).pipe(Effect.provide(Layer.merge(protocol, authClient)), Effect.scoped)
      )
    }

    it.effect("a site admin suspends over RPC, and the user's live token is refused at once", () =>
      Effect.gen(function* () {
        const client = yield* RpcClient.make(Rpcs)
        const accounts = yield* AccountAdmin
        const adminEmail = freshEmail("admin")
        yield* accounts.createAdmin({ email: adminEmail, password, nickname: "Admin" }).pipe(Effect.orDie)
        yield* Ref.set(token, Option.none())
        const memberEmail = freshEmail()
        const member = yield* client.Signup({ email: memberEmail, password, nickname: "Member" })
        const admin = expectSession(yield* client.Login({ email: adminEmail, password }))

        yield* Ref.set(token, Option.some(admin.accessToken))
        const view = yield* client.SuspendUser({ id: member.user.id, reason: "spam" })
        assert.strictEqual(view.status, "suspended")

        yield* Ref.set(token, Option.some(member.accessToken))
        const refused = yield* client.GetMe().pipe(Effect.flip)
        assert.isTrue(refused._tag === "Unauthorized" || refused._tag === "AccountSuspended")
        const login = yield* client.Login({ email: memberEmail, password }).pipe(Effect.flip)
        assert.strictEqual(login._tag, "AccountSuspended")
      }).pipe(Effect.provide(Layer.merge(protocols.websocket, authClient)), Effect.scoped)
    )
  }
)
