/** Latency samples in milliseconds, kept whole so percentiles are exact rather than bucketed. */
export class Samples {
  private values = new Float64Array(1 << 16)
  private size = 0

  get count() {
    return this.size
  }

  add(value: number) {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.size++] = value
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.size).sort()
    const at = (fraction: number) =>
      sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
    let total = 0
    for (const value of sorted) total += value
    return {
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(sorted.length === 0 ? 0 : sorted[sorted.length - 1]!),
      mean: round(sorted.length === 0 ? 0 : total / sorted.length)
    }
  }
}

export interface LatencySummary {
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

/** One measured run of one scenario against one server at one concurrency. */
export interface Measurement {
  readonly requests: number
  readonly seconds: number
  readonly requestsPerSecond: number
  readonly latencyMs: LatencySummary
  /** Responses other than 2xx, and transport errors or timeouts; a clean run has none. */
  readonly failures: number
  readonly failureDetail: Record<string, number>
  /** Mean size of a successful response on the wire (status line, headers and body), when measured. */
  readonly bytesPerResponse?: number
}

export const round = (value: number, digits = 2) => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
