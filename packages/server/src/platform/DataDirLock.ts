import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"

/** Another live process holds the embedded database directory. */
export class DataDirInUse extends Error {
  constructor(directory: string, pid: number) {
    super(
      `${directory} is in use by process ${pid}: only one process may run the embedded database. ` +
        "Stop it, or set DATABASE_URL to share a Postgres server between processes."
    )
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}

const readOwner = (file: string) => {
  try {
    return Number.parseInt(readFileSync(file, "utf8"), 10)
  } catch {
    return Number.NaN
  }
}

/**
 * Holds `<directory>/moim.lock` (this process's pid) for the scope's lifetime. PGlite has no lock of
 * its own, and two processes on one data directory would corrupt it; a lock left by a process that
 * died is taken over.
 */
export const acquireDataDirLock = (directory: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        mkdirSync(directory, { recursive: true })
        const file = join(directory, "moim.lock")
        try {
          writeFileSync(file, String(process.pid), { flag: "wx" })
        } catch {
          const owner = readOwner(file)
          if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner))
            throw new DataDirInUse(directory, owner)
          writeFileSync(file, String(process.pid))
        }
        return file
      },
      catch: (error) => error
    }).pipe(Effect.orDie),
    (file) => Effect.sync(() => rmSync(file, { force: true }))
  )
