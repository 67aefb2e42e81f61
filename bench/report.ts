import { writeFileSync } from "node:fs"
import { join } from "node:path"
import type { ProfileSummary } from "./profile.ts"
import type { SeedSummary } from "./seed.ts"
import { type Measurement, round } from "./stats.ts"

export interface ServerMeasurement extends Measurement {
  /** Largest resident set of the server process during this run. */
  readonly rssPeakMiB: number
  /** Server CPU time (user + system) per successful request, in microseconds; null off Linux. */
  readonly cpuMicrosPerRequest: number | null
}

/** Moim divided by a peer: below 1 for req/s and above 1 for latency mean Moim is slower. */
export interface Ratio {
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly cpuPerRequest: number | null
}

export interface Run {
  readonly connections: number
  readonly moim: ServerMeasurement
  /** The raw `node:http` + `pg` baseline. */
  readonly baseline: ServerMeasurement | null
  readonly ratio: Ratio | null
  /** The Fastify peer, on the same routes and SQL as the baseline. */
  readonly fastify: ServerMeasurement | null
  readonly fastifyRatio: Ratio | null
  /** The 1-minute load average right after the run. */
  readonly loadAverage: number
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly what: string
  readonly table: "main" | "single"
  readonly baselineFrom: string | null
  readonly skipped?: string
  /** Where the baseline's answer differed from Moim's when probed (then queries.ts needs updating). */
  readonly baselineDiffers?: string
  /** The same for the Fastify peer (then its response schemas or queries.ts need updating). */
  readonly fastifyDiffers?: string
  readonly runs: ReadonlyArray<Run>
}

export interface Report {
  readonly startedAt: string
  readonly finishedAt: string
  readonly mode: "full" | "quick"
  /** `dirty`: the packages had uncommitted changes on top of the commit. */
  readonly code: { readonly commit: string; readonly dirty: boolean }
  readonly machine: {
    readonly cpus: number
    readonly cpuModel: string
    readonly memoryGiB: number
    readonly node: string
    readonly platform: string
    readonly uptimeBefore: string
    readonly uptimeAfter: string
  }
  readonly settings: {
    readonly connections: ReadonlyArray<number>
    readonly warmupSeconds: number
    readonly seconds: number
    readonly databasePoolSize: number
    readonly moimEnvironment: Record<string, string>
  }
  readonly dataset: SeedSummary
  readonly scenarios: ReadonlyArray<ScenarioResult>
  readonly peakRssMiB: { readonly moim: number; readonly baseline: number; readonly fastify: number }
  readonly moimExitCode: number | null
  readonly profiles: ReadonlyArray<ProfileSummary & { readonly scenario: string; readonly connections: number }>
}

export const ratioOf = (moim: ServerMeasurement, baseline: ServerMeasurement): Ratio => ({
  requestsPerSecond: round(moim.requestsPerSecond / Math.max(baseline.requestsPerSecond, 0.001), 2),
  p50: round(moim.latencyMs.p50 / Math.max(baseline.latencyMs.p50, 0.001), 2),
  p99: round(moim.latencyMs.p99 / Math.max(baseline.latencyMs.p99, 0.001), 2),
  cpuPerRequest:
    moim.cpuMicrosPerRequest === null || baseline.cpuMicrosPerRequest === null
      ? null
      : round(moim.cpuMicrosPerRequest / Math.max(baseline.cpuMicrosPerRequest, 0.001), 2)
})

const number = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 1 })
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1))
const failures = (measurement: Measurement) =>
  measurement.failures === 0
    ? "0"
    : `${measurement.failures} (${Object.entries(measurement.failureDetail)
        .map(([reason, count]) => `${reason}: ${count}`)
        .join(", ")})`

export const toMarkdown = (report: Report) => {
  const lines: Array<string> = []
  const { dataset, machine, settings } = report
  lines.push(`# Moim benchmark, ${report.startedAt.slice(0, 16).replace("T", " ")} UTC (${report.mode})`, "")
  lines.push(
    `- Code: ${report.code.commit}${report.code.dirty ? " with uncommitted changes in packages/" : ""}`,
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`,
    `- Load before: \`${machine.uptimeBefore}\``,
    `- Load after: \`${machine.uptimeAfter}\``,
    `- Dataset: ${number(dataset.users)} users, ${number(dataset.groups)} groups (${number(dataset.publicGroups)} public), ` +
      `${number(dataset.memberships)} memberships; fingerprint \`${dataset.fingerprint}\`, seeded in ${dataset.seconds} s`,
    `- Runs: ${settings.warmupSeconds} s warm-up per scenario and server (not measured), then ${settings.seconds} s at ` +
      `${settings.connections.join(" and ")} connections, Moim, the baseline and Fastify taking turns to go first`,
    `- Peak RSS (VmHWM): Moim ${report.peakRssMiB.moim} MiB, baseline ${report.peakRssMiB.baseline} MiB, ` +
      `Fastify ${report.peakRssMiB.fastify} MiB`,
    ""
  )

  lines.push(
    "| scenario | conns | Moim req/s | p50 ms | p99 ms | CPU µs/req | baseline req/s | p50 ms | p99 ms | CPU µs/req | Moim/baseline req/s | Moim/baseline CPU/req | Fastify req/s | p99 ms | Moim/Fastify req/s | Moim RSS MiB | failures |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  )
  const cpu = (measurement: ServerMeasurement) => (measurement.cpuMicrosPerRequest ?? "?").toLocaleString()
  for (const scenario of report.scenarios.filter((result) => result.table === "main")) {
    if (scenario.skipped !== undefined) {
      lines.push(`| ${scenario.title} | | skipped: ${scenario.skipped} | | | | | | | | | | | | | | |`)
      continue
    }
    for (const run of scenario.runs) {
      const { baseline, fastify, fastifyRatio, moim, ratio } = run
      const base = (show: (measurement: ServerMeasurement) => string) => (baseline === null ? "–" : show(baseline))
      const peer = (show: (measurement: ServerMeasurement) => string) => (fastify === null ? "–" : show(fastify))
      const otherFailures = [
        baseline !== null && baseline.failures > 0 ? `; baseline ${failures(baseline)}` : "",
        fastify !== null && fastify.failures > 0 ? `; Fastify ${failures(fastify)}` : ""
      ].join("")
      lines.push(
        `| ${scenario.title} | ${run.connections} | ${number(moim.requestsPerSecond)} | ${ms(moim.latencyMs.p50)} | ` +
          `${ms(moim.latencyMs.p99)} | ${cpu(moim)} | ${base((m) => number(m.requestsPerSecond))} | ` +
          `${base((m) => ms(m.latencyMs.p50))} | ${base((m) => ms(m.latencyMs.p99))} | ${base(cpu)} | ` +
          `${ratio === null ? "–" : `**${ratio.requestsPerSecond.toFixed(2)}**`} | ` +
          `${ratio?.cpuPerRequest == null ? "–" : `**${ratio.cpuPerRequest.toFixed(2)}**`} | ` +
          `${peer((m) => number(m.requestsPerSecond))} | ${peer((m) => ms(m.latencyMs.p99))} | ` +
          `${fastifyRatio === null ? "–" : `**${fastifyRatio.requestsPerSecond.toFixed(2)}**`} | ${moim.rssPeakMiB} | ` +
          `${failures(moim)}${otherFailures} |`
      )
    }
  }
  lines.push("")

  const single = report.scenarios.filter((result) => result.table === "single")
  if (single.length > 0) {
    lines.push(
      "Without a baseline (login is argon2id-bound; a compressed read compares with the same read uncompressed above):",
      ""
    )
    lines.push(
      "| scenario | conns | req/s | p50 ms | p99 ms | CPU µs/req | bytes/response | Moim RSS MiB | failures |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    for (const scenario of single) {
      if (scenario.skipped !== undefined) {
        lines.push(`| ${scenario.title} | | skipped: ${scenario.skipped} | | | | | | |`)
        continue
      }
      for (const run of scenario.runs) {
        lines.push(
          `| ${scenario.title} | ${run.connections} | ${number(run.moim.requestsPerSecond)} | ${ms(run.moim.latencyMs.p50)} | ` +
            `${ms(run.moim.latencyMs.p99)} | ${(run.moim.cpuMicrosPerRequest ?? "?").toLocaleString()} | ` +
            `${(run.moim.bytesPerResponse ?? "?").toLocaleString()} | ${run.moim.rssPeakMiB} | ${failures(run.moim)} |`
        )
      }
    }
    lines.push("")
  }

  for (const scenario of report.scenarios.filter((result) => result.baselineDiffers !== undefined)) {
    lines.push(
      `Warning: for ${scenario.title} the baseline answered differently from Moim (at \`${scenario.baselineDiffers}\`).`
    )
  }
  for (const scenario of report.scenarios.filter((result) => result.fastifyDiffers !== undefined)) {
    lines.push(
      `Warning: for ${scenario.title} the Fastify peer answered differently from Moim (at \`${scenario.fastifyDiffers}\`).`
    )
  }
  const rpc = report.scenarios.filter((result) => result.baselineFrom !== null && result.skipped === undefined)
  for (const scenario of rpc) {
    lines.push(
      `${scenario.title} is compared with the HTTP baseline and Fastify figures of \`${scenario.baselineFrom}\`.`
    )
  }
  if (rpc.length > 0) lines.push("")

  for (const profile of report.profiles) {
    lines.push(
      `## CPU profile: ${profile.scenario} at ${profile.connections} connections`,
      "",
      `\`${profile.file}\`: ${number(profile.sampledMs)} ms sampled${profile.windowed ? " in the measured window" : " (whole process life)"}, ` +
        `${number(profile.idleMs)} ms idle. Self time, share of busy time:`,
      "",
      "| by package | ms | % |",
      "|---|---:|---:|",
      ...profile.byPackage.map((entry) => `| ${entry.name} | ${number(entry.selfMs)} | ${entry.percent} |`),
      "",
      "| by function | ms | % |",
      "|---|---:|---:|",
      ...profile.byFunction.map((entry) => `| \`${entry.name}\` | ${number(entry.selfMs)} | ${entry.percent} |`),
      ""
    )
  }
  return `${lines.join("\n")}\n`
}

/** Writes `<stamp>.json` and `<stamp>.md`, and the same as `latest.json` and `latest.md`. */
export const writeReport = (directory: string, stamp: string, report: Report) => {
  const json = `${JSON.stringify(report, null, 2)}\n`
  const markdown = toMarkdown(report)
  for (const name of [stamp, "latest"]) {
    writeFileSync(join(directory, `${name}.json`), json)
    writeFileSync(join(directory, `${name}.md`), markdown)
  }
  return { json: join(directory, `${stamp}.json`), markdown: join(directory, `${stamp}.md`), text: markdown }
}
