import { Schema } from "effect"
import { Timestamp } from "../Kit/Timestamp.ts"

export const Adapters = Schema.Struct({
  database: Schema.Literals(["postgres", "embedded"]).annotate({
    description: "`postgres` when DATABASE_URL is set, `embedded` for PGlite"
  }),
  redis: Schema.Literals(["redis", "memory"]),
  storage: Schema.Literals(["s3", "disk"]),
  mailer: Schema.Literals(["smtp", "outbox"]),
  sms: Schema.Literals(["http", "outbox"]).annotate({
    description: "`http` when SMS_API_URL is set (a provider's messages API), `outbox` for text files"
  }),
  jobs: Schema.Literal("graphile-worker")
}).annotate({ identifier: "Adapters", description: "Which adapter serves each port of this deployment" })

export class Meta extends Schema.Class<Meta>("Meta")(
  {
    name: Schema.Literal("moim"),
    version: Schema.String.annotate({ description: "Server version (semver)" }),
    apiVersion: Schema.Literal("v1"),
    adapters: Adapters,
    startedAt: Timestamp
  },
  { description: "What this server is and how it is deployed" }
) {}
