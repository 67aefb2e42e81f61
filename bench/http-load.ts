import autocannon from "autocannon"
import { type Measurement, round, Samples } from "./stats.ts"

export type HttpRequest = autocannon.Request

export interface HttpLoad {
  readonly baseUrl: string
  readonly connections: number
  readonly seconds: number
  /** The requests connection `index` sends, in a loop (autocannon's `requests`). */
  readonly requestsFor: (index: number) => ReadonlyArray<HttpRequest>
}

/**
 * Runs autocannon at a fixed number of connections (one request in flight on each, no
 * pipelining) for a fixed time. Latencies are taken from every 2xx response at full precision
 * (autocannon's own histogram rounds to whole milliseconds).
 */
export const runHttp = (load: HttpLoad): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    const samples = new Samples()
    const failureDetail: Record<string, number> = {}
    const count = (reason: string) => {
      failureDetail[reason] = (failureDetail[reason] ?? 0) + 1
    }
    let nextConnection = 0
    let bytes = 0
    const first = [...load.requestsFor(0)]
    const instance = autocannon(
      {
        url: load.baseUrl,
        connections: load.connections,
        pipelining: 1,
        duration: load.seconds,
        timeout: 30,
        requests: first,
        setupClient: (client) => {
          client.setRequests([...load.requestsFor(nextConnection++)])
        }
      },
      (error, result) => {
        if (error !== null && error !== undefined) return reject(error)
        if (result.errors > 0) failureDetail.errors = result.errors - result.timeouts
        if (result.timeouts > 0) failureDetail.timeouts = result.timeouts
        const failures = Object.values(failureDetail).reduce((sum, value) => sum + value, 0)
        const requests = samples.count
        resolve({
          requests,
          seconds: result.duration,
          requestsPerSecond: round(requests / result.duration, 1),
          latencyMs: samples.summary(),
          failures,
          failureDetail,
          bytesPerResponse: requests === 0 ? 0 : Math.round(bytes / requests)
        })
      }
    )
    instance.on("response", (_client, statusCode, responseBytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) {
        samples.add(responseTime)
        bytes += responseBytes
      } else count(String(statusCode))
    })
  })
