import { assert, it } from "@effect/vitest"
import { Effect } from "effect"

it.effect("runs on node 24", () => Effect.sync(() => assert.isTrue(process.versions.node.startsWith("24."))))
