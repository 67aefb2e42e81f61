import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { createWriteStream, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"

/** A free TCP port on the loopback interface. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

/** Kilobytes of one `VmRSS`/`VmHWM`-style line of `/proc/<pid>/status`, or null off Linux. */
const procStatus = (pid: number, field: "VmRSS" | "VmHWM") => {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))
    return match === null ? null : Number(match[1])
  } catch {
    return null
  }
}

const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()

/**
 * CPU seconds (user + system) the process has used, from `/proc/<pid>/stat`; null off Linux.
 * Unlike throughput, CPU time per request hardly changes when other programs load the machine.
 */
export const cpuSeconds = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // Fields after the command name (which may contain spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond
  } catch {
    return null
  }
}

/** Resident memory in KiB: `/proc` on Linux, `ps` elsewhere. */
const rssKiB = (pid: number) => {
  const fromProc = procStatus(pid, "VmRSS")
  if (fromProc !== null) return fromProc
  try {
    return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim()) || 0
  } catch {
    return 0
  }
}

export interface ServerProcess {
  readonly name: string
  readonly pid: number
  readonly baseUrl: string
  /** Largest resident set seen since the last `resetWindowPeak` (sampled every 200 ms). */
  readonly windowPeakMiB: () => number
  readonly resetWindowPeak: () => void
  /** The kernel's high-water mark of the resident set (`VmHWM`) when available, else the sampled peak. */
  readonly lifetimePeakMiB: () => number
  /** CPU seconds used so far (user + system), or null where `/proc` is missing. */
  readonly cpuSeconds: () => number | null
  /** SIGTERM, then SIGKILL after 20 s; resolves with the exit code. */
  readonly stop: () => Promise<number | null>
}

const running = new Set<ChildProcess>()

/** Ends every server this run started (on Ctrl-C or a failure), by the pids it holds. */
export const killAll = () => {
  for (const child of running) child.kill("SIGKILL")
}

/**
 * Starts a Node program as its own process (the same Node binary as this one, so Node 24), sends
 * its output to `logFile`, and resolves once `readyPath` answers 200.
 */
export const startServer = async (options: {
  readonly name: string
  readonly script: string
  readonly nodeArgs?: ReadonlyArray<string>
  readonly env: Record<string, string>
  readonly port: number
  readonly readyPath: string
  readonly logFile: string
  readonly cwd: string
}): Promise<ServerProcess> => {
  const log = createWriteStream(options.logFile, { flags: "a" })
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  running.add(child)
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const pid = child.pid
  if (pid === undefined) throw new Error(`${options.name} did not start`)
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child)
      resolve(code)
    })
  )
  let exitCode: number | null | undefined
  void exited.then((code) => {
    exitCode = code
  })

  let sampledPeak = 0
  let windowPeak = 0
  const sampler = setInterval(() => {
    const rss = rssKiB(pid)
    sampledPeak = Math.max(sampledPeak, rss)
    windowPeak = Math.max(windowPeak, rss)
  }, 200)
  sampler.unref()

  const baseUrl = `http://127.0.0.1:${options.port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (exitCode !== undefined) {
      clearInterval(sampler)
      throw new Error(`${options.name} exited with code ${exitCode} before it was ready; see ${options.logFile}`)
    }
    const ready = await fetch(`${baseUrl}${options.readyPath}`)
      .then((response) => response.status === 200)
      .catch(() => false)
    if (ready) break
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      clearInterval(sampler)
      throw new Error(`${options.name} was not ready within 90 s; see ${options.logFile}`)
    }
    await sleep(100)
  }

  const toMiB = (kib: number) => Math.round((kib / 1024) * 10) / 10
  return {
    name: options.name,
    pid,
    baseUrl,
    windowPeakMiB: () => toMiB(Math.max(windowPeak, rssKiB(pid))),
    resetWindowPeak: () => {
      windowPeak = rssKiB(pid)
    },
    lifetimePeakMiB: () => toMiB(procStatus(pid, "VmHWM") ?? sampledPeak),
    cpuSeconds: () => cpuSeconds(pid),
    stop: async () => {
      clearInterval(sampler)
      if (exitCode !== undefined) return exitCode
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
      const code = await exited
      clearTimeout(timer)
      log.end()
      return code
    }
  }
}
