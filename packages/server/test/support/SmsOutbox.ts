import { randomInt } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"

/** A mobile-capable US number (+1 415 NXX XXXX) no other test uses, in E.164. */
export const freshPhone = () => `+1415${randomInt(200, 1000)}${String(randomInt(0, 10_000)).padStart(4, "0")}`

/** The code in a texted message ("Your Moim code: 123456"), or undefined. */
export const codeIn = (body: string): string | undefined => /Your Moim code: (\d{6})/.exec(body)?.[1]

/**
 * The code of the newest message texted to `e164` in the SMS outbox of the server whose data
 * directory is `dataDir` (the embedded default writes one file per message there). Fails the test
 * when none was texted.
 */
export const latestCode = (dataDir: string, e164: string) =>
  Effect.promise(async () => {
    const directory = join(dataDir, "sms-outbox")
    const names = (await readdir(directory).catch(() => [])).filter((name) => name.endsWith(".txt")).sort()
    for (const name of names.reverse()) {
      const text = await readFile(join(directory, name), "utf8")
      if (text.startsWith(`To: ${e164}\n`)) {
        const code = codeIn(text)
        if (code !== undefined) return code
      }
    }
    throw new Error(`no code was texted to ${e164}`)
  })

/** How many messages were texted to `e164` through the outbox of the server with `dataDir`. */
export const textsTo = (dataDir: string, e164: string) =>
  Effect.promise(async () => {
    const directory = join(dataDir, "sms-outbox")
    const names = (await readdir(directory).catch(() => [])).filter((name) => name.endsWith(".txt"))
    const texts = await Promise.all(names.map((name) => readFile(join(directory, name), "utf8")))
    return texts.filter((text) => text.startsWith(`To: ${e164}\n`)).length
  })
