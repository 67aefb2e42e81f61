import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { Email, Nickname, Password } from "@moim/domain/Accounts/AccountFields"
import { Effect, Layer, Schema } from "effect"
import { AccountAdmin } from "./Accounts/AccountAdmin.ts"
import { AccountsLive } from "./Accounts/AccountsLive.ts"
import { EmailOwnership } from "./Accounts/EmailOwnership.ts"
import { PlatformLive } from "./Platform.ts"
import { runMain } from "./platform/RunMain.ts"

const usage = `Usage: npm run moim -- create-admin --email <email> [--nickname <name>] [--password-stdin]

Creates a site admin, or makes the existing account with that email an admin.
The password comes from MOIM_ADMIN_PASSWORD, or from standard input with --password-stdin
(never from the command line, where it would stay in the shell history).
Uses the same configuration as the server (DATABASE_URL, MOIM_DATA_DIR, ...).`

const CreateAdmin = Schema.Struct({ email: Email, password: Password, nickname: Nickname })

const program = Effect.gen(function* () {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: "string" },
      nickname: { type: "string", default: "Admin" },
      "password-stdin": { type: "boolean", default: false },
      help: { type: "boolean", default: false }
    }
  })
  if (values.help || positionals[0] !== "create-admin") {
    process.stdout.write(`${usage}\n`)
    process.exitCode = values.help ? 0 : 2
    return
  }
  const password = values["password-stdin"]
    ? (readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "")
    : (process.env.MOIM_ADMIN_PASSWORD ?? "")
  const decoded = yield* Schema.decodeUnknownEffect(CreateAdmin)({
    email: values.email,
    password,
    nickname: values.nickname
  }).pipe(Effect.result)
  if (decoded._tag === "Failure") {
    process.stderr.write(
      `Invalid input (an email, a nickname, a 10-128 character password): ${decoded.failure.message}\n`
    )
    process.exitCode = 2
    return
  }
  const input = decoded.success
  const admin = yield* AccountAdmin
  const result = yield* admin.createAdmin(input)
  process.stdout.write(
    result.created
      ? `Created site admin ${input.email} (${result.userId})\n`
      : `Made ${input.email} (${result.userId}) a site admin; its password is unchanged\n`
  )
}).pipe(Effect.provide(AccountsLive.pipe(Layer.provide(EmailOwnership.none), Layer.provideMerge(PlatformLive))))

runMain(program)
