import { Effect, Metric } from "effect"
import { JobsRepo } from "./JobsRepo.ts"

/** Job metrics at `/metrics`: recorded by the worker as jobs run, and the queue's depth when scraped. */
export const JobMetrics = {
  duration: Metric.histogram("moim_job_duration_seconds", {
    description: "How long job runs took, by task, whether they succeeded or failed",
    boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
  }),
  failures: Metric.counter("moim_job_failures_total", {
    description: "Job runs that failed (each failed attempt), by task",
    incremental: true
  }),
  depth: Metric.gauge("moim_job_queue_depth", {
    description: "Jobs in the queue by task and state (pending, scheduled, running, failed), read when scraped"
  })
}

/** Records one finished run of a task. */
export const recordJobRun = (task: string, seconds: number, failed: boolean) =>
  Effect.andThen(
    Metric.update(Metric.withAttributes(JobMetrics.duration, { task }), seconds),
    failed ? Metric.update(Metric.withAttributes(JobMetrics.failures, { task }), 1) : Effect.void
  )

const states = ["pending", "scheduled", "running", "failed"] as const

/**
 * Sets the depth gauges from the queue. Tasks seen before and now absent are set to zero, so a
 * drained queue does not keep reporting its last depth.
 */
export const makeDepthRefresh = Effect.gen(function* () {
  const repo = yield* JobsRepo
  const seen = new Set<string>()
  return Effect.gen(function* () {
    const rows = yield* repo.depthByTask
    const present = new Set(rows.map((row) => row.task))
    for (const task of seen) {
      if (present.has(task)) continue
      for (const state of states) yield* Metric.update(Metric.withAttributes(JobMetrics.depth, { task, state }), 0)
    }
    for (const row of rows) {
      seen.add(row.task)
      for (const state of states) {
        yield* Metric.update(Metric.withAttributes(JobMetrics.depth, { task: row.task, state }), row[state])
      }
    }
  }).pipe(Effect.withSpan("JobMetrics.refreshDepth"))
})
