import { assert, describe, it } from "@effect/vitest"
import { Effect, String as Str } from "effect"
import { rememberingNames } from "../../src/platform/Database.ts"

describe("Database", () => {
  it.effect("renames columns as Effect's transforms do, remembered or not", () =>
    Effect.sync(() => {
      const names = ["member_count", "created_at", "id", "viewer_role_in_group", "a_b_c", "x__y", "_", ""]
      const calls: Array<string> = []
      const counted = (name: string) => {
        calls.push(name)
        return Str.snakeToCamel(name)
      }
      // Room for three: the first three are remembered, the others computed every time.
      const rename = rememberingNames(counted, 3)
      for (const round of [1, 2]) {
        for (const name of names) assert.strictEqual(rename(name), Str.snakeToCamel(name), `${name}, round ${round}`)
      }
      assert.deepStrictEqual(calls, [...names, ...names.slice(3)])
      const toSnake = rememberingNames(Str.camelToSnake)
      for (const name of ["memberCount", "createdAt", "id", "memberCount"]) {
        assert.strictEqual(toSnake(name), Str.camelToSnake(name))
      }
    })
  )
})
