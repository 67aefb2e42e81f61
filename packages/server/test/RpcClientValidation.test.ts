import { assert, layer } from "@effect/vitest"
import { MessageId } from "@moim/domain/Chat/Chat"
import { PostId } from "@moim/domain/Posts/Post"
import { Cause, Effect, Exit, Option } from "effect"
import { signUp } from "./support/Actors.ts"
import { rpcProtocols, withRpcClient } from "./support/RpcTestClient.ts"
import * as TestServer from "./support/TestServer.ts"

const someMessage = MessageId.make("0190a0b0-0000-7000-8000-000000000000")
const somePost = PostId.make("0190a0b0-0000-7000-8000-000000000000")

/** The call's failure: the typed error it failed with, or a note that it did not fail that way. */
const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit)
    ? Option.match(Cause.findErrorOption(exit.cause), {
        onNone: () => `a defect: ${Cause.pretty(exit.cause).slice(0, 200)}`,
        onSome: (error) => error
      })
    : "success"

layer(TestServer.layer(TestServer.testEnv()), { excludeTestServices: true })("The RPC client's own checks", (it) => {
  for (const protocol of rpcProtocols) {
    it.effect(`a payload that breaks its schema fails with InvalidRequest, not a defect (${protocol})`, () =>
      Effect.gen(function* () {
        const user = yield* signUp("Checked")
        const exits = yield* withRpcClient(protocol, Effect.succeed(Option.some(user.token)), (client) =>
          Effect.all([
            Effect.exit(client.ReactToMessage({ id: someMessage, emoji: "not an emoji" })),
            Effect.exit(client.UpdateMe({ nickname: "x" })),
            // A value the types allow but the schema refuses, as a JavaScript caller might send.
            Effect.exit(client.ReactToPost({ id: somePost, emoji: JSON.parse('"thumbs"') }))
          ])
        )
        for (const exit of exits as ReadonlyArray<Exit.Exit<unknown, unknown>>) {
          const failure = failureOf(exit)
          const tag = typeof failure === "object" && failure !== null && "_tag" in failure ? failure._tag : failure
          assert.strictEqual(tag, "InvalidRequest")
        }
      })
    )
  }
})
