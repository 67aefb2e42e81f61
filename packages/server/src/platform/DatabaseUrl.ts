import { Context, type Redacted } from "effect"

/**
 * Where the database is and which kind it is. Besides the Effect SQL pool, graphile-worker opens
 * its own `pg` pool from this URL.
 */
export class DatabaseUrl extends Context.Service<
  DatabaseUrl,
  {
    readonly kind: "postgres" | "embedded"
    readonly url: Redacted.Redacted<string>
  }
>()("@moim/server/platform/DatabaseUrl") {}
