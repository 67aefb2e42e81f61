import { Meta } from "@moim/domain/System/Meta"
import { Version } from "@moim/domain/Version"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { AppConfig } from "../platform/AppConfig.ts"
import { DatabaseUrl } from "../platform/DatabaseUrl.ts"
import { Mailer } from "../platform/Mailer.ts"
import { Sms } from "../platform/Sms.ts"
import { Storage } from "../platform/Storage.ts"

/** What `GET /api/v1/meta` and the `GetMeta` RPC report: computed once at start. */
export class ServerInfo extends Context.Service<ServerInfo, { readonly meta: Meta }>()(
  "@moim/server/System/ServerInfo"
) {
  static readonly layer = Layer.effect(
    ServerInfo,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const database = yield* DatabaseUrl
      const storage = yield* Storage
      const mailer = yield* Mailer
      const sms = yield* Sms
      return ServerInfo.of({
        meta: new Meta({
          name: "moim",
          version: Version,
          apiVersion: "v1",
          adapters: {
            database: database.kind,
            redis: Option.isSome(config.redisUrl) ? "redis" : "memory",
            storage: storage.kind,
            mailer: mailer.kind,
            sms: sms.kind,
            jobs: "graphile-worker"
          },
          startedAt: yield* DateTime.now
        })
      })
    })
  )
}
