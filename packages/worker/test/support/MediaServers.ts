import { Effect, Layer } from "effect"
import { S3Server } from "../../../server/test/support/S3Server.ts"
import * as TestServer from "../../../server/test/support/TestServer.ts"
import { WorkerLive } from "../../src/Worker.ts"

/** A test server's environment for uploads: rate limits out of the way, addresses from the proxy header. */
export const mediaEnv = (extra: Record<string, string> = {}) =>
  TestServer.testEnv({ TRUST_PROXY: "true", RATE_LIMIT_USER: "100000", RATE_LIMIT_AUTH: "100000", ...extra })

/** The server and a worker in one process, storing on disk (the embedded default). */
export const OnDisk = WorkerLive.pipe(Layer.provideMerge(TestServer.layer(mediaEnv())))

/** The same, storing in S3 (s3rver, behind a check of presigned URLs' signatures as S3 makes it). */
export const OnS3 = Layer.unwrap(
  Effect.gen(function* () {
    const s3 = yield* S3Server
    return WorkerLive.pipe(Layer.provideMerge(TestServer.layer(mediaEnv(s3.env))))
  })
).pipe(Layer.provideMerge(S3Server.layer))
