import { type ChildProcess, spawn } from "node:child_process"

export interface EntryProcess {
  readonly child: ChildProcess
  /** Everything the process printed so far, for failure messages. */
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/** Node's compile cache of the test run (see `vitest.config.ts`): a setting of Node's, not of Moim's. */
export const compileCache = (): Record<string, string> =>
  process.env.NODE_COMPILE_CACHE === undefined ? {} : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE }

/**
 * Runs an entry point as its own Node process, with only `env` (and PATH, and Node's compile cache),
 * as an operator would.
 */
export const startEntry = (entry: string, env: Record<string, string>, cwd?: string): EntryProcess => {
  const child = spawn(process.execPath, [entry], {
    ...(cwd === undefined ? {} : { cwd }),
    env: { PATH: process.env.PATH ?? "", ...compileCache(), ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
  }
  child.stdout?.on("data", collect)
  child.stderr?.on("data", collect)
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}

/** Polls `probe` until it gives a value; fails with the process's output if it exits or time runs out. */
export const waitFor = async <A>(
  probe: () => Promise<A | undefined>,
  what: string,
  started: EntryProcess,
  timeoutMillis = 60_000
): Promise<A> => {
  const deadline = Date.now() + timeoutMillis
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (started.child.exitCode !== null) throw new Error(`exited while waiting for ${what}:\n${started.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}:\n${started.output()}`)
}
