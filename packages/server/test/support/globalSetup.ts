import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import type { TestProject } from "vitest/node"
import * as Database from "../../src/platform/Database.ts"
import { EmbeddedPostgres } from "../../src/platform/EmbeddedPostgres.ts"
import { Migrations } from "../../src/platform/Migrations.ts"
import { withDatabase } from "./TestDatabase.ts"

/**
 * Migrates one database for the whole run, so each test file starts from a copy instead of
 * migrating again: with `DATABASE_URL` a template database on that server; without it a PGlite
 * snapshot (a fresh PGlite data dir takes seconds to create, loading a snapshot much less).
 */
export default async function setup(project: TestProject) {
  const databaseUrl = process.env.DATABASE_URL
  if (databaseUrl !== undefined && databaseUrl !== "") {
    const template = `moim_template_${randomBytes(6).toString("hex")}`
    const admin = PgClient.layer({ url: Redacted.make(databaseUrl), maxConnections: 1, prepare: false })
    const runAdmin = (statement: string) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const sql = yield* PgClient.PgClient
          yield* sql.unsafe(statement)
        }).pipe(Effect.provide(admin))
      )
    await runAdmin(`CREATE DATABASE ${template}`)
    await Effect.runPromise(
      Migrations.run.pipe(
        Effect.provide(
          Database.clientLayer({
            url: Redacted.make(withDatabase(databaseUrl, template)),
            kind: "postgres",
            maxConnections: 2
          })
        )
      )
    )
    project.provide("testDatabase", { kind: "postgres", adminUrl: databaseUrl, template })
    return async () => {
      await runAdmin(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)
    }
  }

  const directory = mkdtempSync(join(tmpdir(), "moim-test-db-"))
  const snapshot = join(directory, "migrated.tar.gz")
  await Effect.runPromise(
    Effect.gen(function* () {
      const embedded = yield* EmbeddedPostgres
      yield* Migrations.run.pipe(
        Effect.provide(Database.clientLayer({ url: embedded.url, kind: "embedded", maxConnections: 2 }))
      )
      yield* embedded.dump(snapshot)
    }).pipe(Effect.provide(EmbeddedPostgres.layer({ dataDir: join(directory, "data") })), Effect.scoped)
  )
  project.provide("testDatabase", { kind: "embedded", snapshot })
  return () => {
    rmSync(directory, { recursive: true, force: true })
  }
}
