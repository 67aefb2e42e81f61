import { createHmac, createSecretKey, type KeyObject } from "node:crypto"
import type { DeviceClass } from "@moim/domain/Analytics/Analytics"
import { Clock, type Duration, Effect, Fiber, Layer, Metric, Queue } from "effect"
import { type Activity, ActivityLog } from "../Access/ActivityLog.ts"
import { ClientInfo } from "../Access/ClientInfo.ts"
import { setBounded } from "../platform/BoundedMap.ts"
import { ServerSecret } from "../platform/ServerSecret.ts"
import { ActivityRepo, type ActivityRow } from "./ActivityRepo.ts"

/** How the buffer is flushed. */
export interface RecorderOptions {
  /** Write what is buffered at least this often. */
  readonly interval: Duration.Input
  /** Write at once when this many are buffered; also the most rows one INSERT carries. */
  readonly batchSize: number
  /** The most events buffered; more are dropped (and counted) until the next write. */
  readonly capacity: number
}

export const defaultOptions: RecorderOptions = { interval: "1 second", batchSize: 500, capacity: 10_000 }

const written = Metric.counter("moim_analytics_events_written_total", {
  description: "Activity events written to the database",
  incremental: true
})
const dropped = Metric.counter("moim_analytics_events_dropped_total", {
  description: "Activity events dropped: the buffer was full, or their batch could not be written",
  incremental: true
})

/**
 * The device class from a User-Agent; the User-Agent itself is not kept. Android first (its browsers
 * also say "Mobile Safari"); then iPhone, iPad and iOS apps (`CFNetwork`, Apple's networking stack,
 * names iOS apps that set no agent of their own); then any browser (`Mozilla/`, `Opera/`).
 */
export const deviceClass = (userAgent: string | null): DeviceClass => {
  if (userAgent === null) return "other"
  if (/android/i.test(userAgent)) return "android"
  if (/iphone|ipad|ipod|\bios\b|cfnetwork/i.test(userAgent)) return "ios"
  if (/^(mozilla|opera)\//i.test(userAgent)) return "web"
  return "other"
}

/**
 * A keyed hash of the client address that changes every UTC day: HMAC-SHA256 of the address under
 * a key derived from `MOIM_SECRET` for the day, 128 bits of it. The same address gives the same
 * hash within a day (distinct addresses can be counted) and unrelated hashes on different days.
 * The day's key is a `KeyObject`, made once a day: passing raw bytes to `createHmac` would import
 * them as a new key on every call, which cost more than the hash itself on the request path. The
 * day's hashes of the last `capacity` addresses are kept (the oldest go first, all at midnight): a
 * client reads many times a day, and the HMAC was 4% of the processor time of a cached group read.
 */
export const addressHasher = (rootKey: Uint8Array, capacity = 10_000) => {
  let dayStart = 0
  let dayEnd = 0
  let dayKey: KeyObject | undefined
  const recent = new Map<string, string>()
  return (ip: string, at: Date): string => {
    const now = at.getTime()
    if (dayKey === undefined || now < dayStart || now >= dayEnd) {
      dayStart = Math.floor(now / dayMillis) * dayMillis
      dayEnd = dayStart + dayMillis
      const today = new Date(dayStart).toISOString().slice(0, 10)
      dayKey = createSecretKey(createHmac("sha256", rootKey).update(`analytics-address:${today}`).digest())
      recent.clear()
    }
    const known = recent.get(ip)
    if (known !== undefined) return known
    const hashed = createHmac("sha256", dayKey).update(ip).digest("base64url").slice(0, 22)
    setBounded(recent, capacity, ip, hashed)
    return hashed
  }
}

const dayMillis = 86_400_000

const chunks = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size))
  return out
}

/**
 * Analytics' answer to the `ActivityLog` port: `record` adds the time, the device class and the
 * hashed address to the activity and puts it in a bounded in-memory buffer, which never blocks; a
 * background fiber writes the buffer in multi-row INSERTs every `interval`, or at once when it holds
 * `batchSize` events. When the process stops (the layer's scope closes), what is buffered is written
 * before the database goes. A crash loses at most what was buffered (about one interval's events),
 * which analytics accepts in exchange for requests that never wait for it; a failed write is logged
 * and its batch dropped.
 */
export const make = (options: RecorderOptions = defaultOptions) =>
  Effect.gen(function* () {
    const repo = yield* ActivityRepo
    const hash = addressHasher((yield* ServerSecret).derive("analytics-address"))
    const buffer = yield* Queue.dropping<ActivityRow>(options.capacity)
    // A wake-up for the writer when a whole batch is waiting; one pending wake-up is enough.
    const full = yield* Queue.dropping<void>(1)

    const write = (rows: ReadonlyArray<ActivityRow>) =>
      repo.insertMany(rows).pipe(
        Effect.andThen(Metric.update(written, rows.length)),
        Effect.catchCause((cause) =>
          Effect.andThen(
            Metric.update(dropped, rows.length),
            Effect.logWarning("activity events not written", cause).pipe(Effect.annotateLogs({ events: rows.length }))
          )
        )
      )

    /** Writes everything buffered. Uninterruptible: what it took from the buffer is written, even at shutdown. */
    const flush = Effect.uninterruptible(
      Effect.flatMap(Queue.clear(buffer), (rows) =>
        Effect.forEach(chunks(rows, options.batchSize), write, { discard: true })
      )
    )

    const writer = yield* Effect.forkDetach(
      Effect.forever(Effect.andThen(Effect.raceFirst(Effect.sleep(options.interval), Queue.take(full)), flush))
    )
    yield* Effect.addFinalizer(() => Effect.andThen(Fiber.interrupt(writer), flush))

    const record = (activity: Activity) =>
      Effect.gen(function* () {
        const at = new Date(yield* Clock.currentTimeMillis)
        const client = yield* ClientInfo.currentOption
        const ip = client._tag === "Some" ? client.value.ip : null
        const userAgent = client._tag === "Some" ? client.value.userAgent : null
        const offered = Queue.offerUnsafe(buffer, {
          occurredAt: at,
          userId: activity.userId,
          kind: activity.kind,
          subjectId: activity.subjectId ?? null,
          groupId: activity.groupId ?? null,
          device: deviceClass(userAgent),
          addressHash: ip === null ? null : hash(ip, at)
        })
        if (!offered) return yield* Metric.update(dropped, 1)
        if ((yield* Queue.size(buffer)) >= options.batchSize) Queue.offerUnsafe(full, undefined)
      })

    return { record }
  })

/** `ActivityLog` answered by the buffered recorder, for the processes that serve requests. */
export const ActivityRecorderLive = Layer.effect(ActivityLog, make()).pipe(Layer.provide(ActivityRepo.layer))
