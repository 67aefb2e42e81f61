import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { fileURLToPath } from "node:url"
import { round } from "./stats.ts"

interface CpuProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<CpuProfileNode>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface CostEntry {
  readonly name: string
  readonly selfMs: number
  /** Share of the busy (non-idle) time of the window. */
  readonly percent: number
}

export interface ProfileSummary {
  readonly file: string
  /** Whether the samples could be cut to the measured window (else the whole process life counts). */
  readonly windowed: boolean
  readonly sampledMs: number
  readonly idleMs: number
  readonly byFunction: ReadonlyArray<CostEntry>
  readonly byPackage: ReadonlyArray<CostEntry>
}

const isCpuProfile = (value: unknown): value is CpuProfile =>
  typeof value === "object" &&
  value !== null &&
  "nodes" in value &&
  Array.isArray(value.nodes) &&
  "samples" in value &&
  Array.isArray(value.samples) &&
  "timeDeltas" in value &&
  Array.isArray(value.timeDeltas) &&
  "startTime" in value &&
  typeof value.startTime === "number"

/** Where a frame's code comes from: an npm package, Node itself, Moim's own packages, or V8. */
const packageOf = (frame: CpuProfileNode["callFrame"], root: string) => {
  const { functionName, url } = frame
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)"
  if (url.startsWith("node:")) return "node (built-in modules)"
  const path = url.startsWith("file://") ? fileURLToPath(url) : url
  const modules = path.lastIndexOf("/node_modules/")
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + "/node_modules/".length).split("/")
    return scope?.startsWith("@") ? `${scope}/${name}` : (scope ?? path)
  }
  const local = relative(root, path)
  const workspace = local.match(/^packages\/([^/]+)\//)
  return workspace === null ? local : `@moim/${workspace[1]}`
}

const frameName = (frame: CpuProfileNode["callFrame"], root: string) => {
  if (frame.url === "") return frame.functionName
  const path = frame.url.startsWith("file://") ? relative(root, fileURLToPath(frame.url)) : frame.url
  return `${frame.functionName || "(anonymous)"} ${path.replace(/^.*node_modules\//, "")}:${frame.lineNumber + 1}`
}

/**
 * Self time by function and by package from a V8 `.cpuprofile`. Profile timestamps share the
 * monotonic clock of `process.hrtime` on Linux, so the samples can be cut to the measured window
 * (`fromMicros`..`toMicros`); when none fall inside it, the whole profile is used.
 */
export const summarizeProfile = (
  file: string,
  root: string,
  window?: { readonly fromMicros: number; readonly toMicros: number }
): ProfileSummary => {
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"))
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`)
  const frames = new Map(parsed.nodes.map((node) => [node.id, node.callFrame]))

  const collect = (inside: (at: number) => boolean) => {
    const selfByNode = new Map<number, number>()
    let at = parsed.startTime
    for (let index = 0; index < parsed.samples.length; index++) {
      const delta = parsed.timeDeltas[index] ?? 0
      at += delta
      if (!inside(at)) continue
      const node = parsed.samples[index]!
      selfByNode.set(node, (selfByNode.get(node) ?? 0) + delta)
    }
    return selfByNode
  }
  let windowed = window !== undefined
  let selfByNode =
    window === undefined ? collect(() => true) : collect((at) => at >= window.fromMicros && at <= window.toMicros)
  if (selfByNode.size === 0) {
    windowed = false
    selfByNode = collect(() => true)
  }

  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let sampled = 0
  let idle = 0
  for (const [node, micros] of selfByNode) {
    const frame = frames.get(node)
    if (frame === undefined) continue
    sampled += micros
    if (frame.functionName === "(idle)") {
      idle += micros
      continue
    }
    const name = frameName(frame, root)
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
    const origin = packageOf(frame, root)
    byPackage.set(origin, (byPackage.get(origin) ?? 0) + micros)
  }
  const busy = Math.max(1, sampled - idle)
  const top = (costs: Map<string, number>, count: number): Array<CostEntry> =>
    [...costs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => ({ name, selfMs: round(micros / 1000, 1), percent: round((micros / busy) * 100, 1) }))

  return {
    file: relative(root, file),
    windowed,
    sampledMs: round(sampled / 1000, 0),
    idleMs: round(idle / 1000, 0),
    byFunction: top(byFunction, 25),
    byPackage: top(byPackage, 15)
  }
}
