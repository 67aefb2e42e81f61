import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import type { ChannelId, ChannelNotFound } from "@moim/domain/Chat/Chat"
import type { ChannelPresence, PresenceStatus } from "@moim/domain/Chat/Presence"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  Clock,
  Config,
  Context,
  DateTime,
  Duration,
  Effect,
  Layer,
  Schedule,
  Schema,
  type Scope,
  Semaphore
} from "effect"
import { Actor } from "../Access/Actor.ts"
import { Blocks } from "../Access/Blocks.ts"
import { PresenceStore, type PresenceStoreError } from "../platform/PresenceStore.ts"
import { ChannelsRepo } from "./ChannelsRepo.ts"
import { ChatAccess } from "./ChatAccess.ts"
import { ChatSignals } from "./ChatSignals.ts"

type SignedIn = CurrentUser["Service"]

const isUserId = Schema.is(UserId)

/**
 * The timings of presence: `PRESENCE_TTL` (default 60 s: a user no instance refreshed for that long
 * is offline), `PRESENCE_REFRESH_INTERVAL` (default 20 s, less than the TTL: how often an instance
 * refreshes the users it holds a stream of) and `PRESENCE_SWEEP_INTERVAL` (default 10 s: how often
 * each instance looks for users whose TTL ran out).
 */
export const presenceConfig = Config.all({
  ttl: Config.Duration("PRESENCE_TTL").pipe(Config.withDefault(Duration.seconds(60))),
  refresh: Config.Duration("PRESENCE_REFRESH_INTERVAL").pipe(Config.withDefault(Duration.seconds(20))),
  sweep: Config.Duration("PRESENCE_SWEEP_INTERVAL").pipe(Config.withDefault(Duration.seconds(10)))
})

/** Users taken offline by one sweep at most; a sweep that took this many runs again at once. */
const sweepBatch = 500

/**
 * Who is here. A user is `online` while they have a realtime stream open on any server instance
 * (each instance refreshes its users in the `PresenceStore` more often than the TTL), `away` when
 * they said so, and `offline` once no instance refreshed them within the TTL: when their last stream
 * closes, or within the TTL plus a sweep when their instance died. Each change is told once, by the
 * instance that made it, on the bus of every channel the user is in (not a conversation with
 * someone either blocked), which streams of those channels relay as `chat.presence`.
 *
 * Presence degrades instead of failing: with the store unreachable, changes are logged and lost.
 */
export class Presence extends Context.Service<
  Presence,
  {
    /** Marks the user connected on this instance until the scope closes. */
    readonly connected: (userId: UserId) => Effect.Effect<void, never, Scope.Scope>
    /** The user says they are away, or back. */
    readonly set: (user: SignedIn, status: "online" | "away") => Effect.Effect<void>
    /** Who of a channel the viewer may read is here. */
    readonly ofChannel: (user: SignedIn, channelId: ChannelId) => Effect.Effect<ChannelPresence, ChannelNotFound>
  }
>()("@moim/server/Chat/Presence") {
  static readonly layer = Layer.effect(
    Presence,
    Effect.gen(function* () {
      const config = yield* presenceConfig
      const store = yield* PresenceStore
      const signals = yield* ChatSignals
      const channels = yield* ChannelsRepo
      const access = yield* ChatAccess
      const blocks = yield* Blocks
      const instance = randomUUID()
      /** The users with a stream on this instance, and how many streams each. */
      const local = new Map<UserId, number>()
      // Changes of the local set and the store go one at a time, so a refresh never puts back a
      // user whose last stream just closed.
      const lock = yield* Semaphore.make(1)

      const logged =
        <B>(fallback: B) =>
        <A, R>(effect: Effect.Effect<A, PresenceStoreError, R>): Effect.Effect<A | B, never, R> =>
          Effect.catch(effect, (error) =>
            Effect.logWarning("presence store unavailable", error).pipe(Effect.as<A | B>(fallback))
          )
      const none: ReadonlyArray<never> = []

      /** Tells the channels the user is in of their new status. */
      const announceIn = Effect.fn("Presence.announce")(function* (
        userId: UserId,
        status: PresenceStatus,
        lastSeenAt: number | null
      ) {
        const theirs = yield* channels.channelsOf(userId)
        const others = [...new Set(theirs.flatMap((channel) => channel.others ?? []))]
        const hidden = others.length === 0 ? new Set<UserId>() : yield* blocks.hiddenAmong(userId, others)
        const told = theirs.filter((channel) => !(channel.others ?? []).some((other) => hidden.has(other)))
        yield* Effect.forEach(
          told,
          (channel) => signals.publish({ kind: "presence", channelId: channel.channelId, userId, status, lastSeenAt }),
          { concurrency: 16, discard: true }
        )
      })
      const announce = (userId: UserId, status: PresenceStatus, lastSeenAt: number | null) =>
        announceIn(userId, status, lastSeenAt).pipe(
          Effect.catchCause((cause) => Effect.logWarning("a presence change was not announced", cause))
        )

      const connect = (userId: UserId) =>
        Effect.gen(function* () {
          const count = local.get(userId) ?? 0
          local.set(userId, count + 1)
          if (count > 0) return false
          const came: ReadonlyArray<string> = yield* store.refresh(instance, [userId], config.ttl).pipe(logged(none))
          return came.includes(userId)
        }).pipe(lock.withPermit)

      const disconnect = (userId: UserId) =>
        Effect.gen(function* () {
          const count = (local.get(userId) ?? 1) - 1
          if (count > 0) {
            local.set(userId, count)
            return false
          }
          local.delete(userId)
          return yield* store.disconnect(instance, userId, config.ttl).pipe(logged(false))
        }).pipe(lock.withPermit)

      const refresh: Effect.Effect<ReadonlyArray<string>> = Effect.suspend(() =>
        store.refresh(instance, [...local.keys()], config.ttl)
      ).pipe(logged(none), lock.withPermit)

      // Users taken offline while still here (the store was unreachable past the TTL) come back.
      yield* Effect.forkScoped(
        refresh.pipe(
          Effect.flatMap((came) =>
            Effect.forEach(came.filter(isUserId), (userId) => announce(userId, "online", null), { discard: true })
          ),
          Effect.repeat(Schedule.spaced(config.refresh))
        )
      )

      const sweep: Effect.Effect<void> = Effect.gen(function* () {
        const gone = yield* store.sweep(config.ttl, sweepBatch).pipe(logged(none))
        for (const user of gone) {
          if (isUserId(user.userId)) yield* announce(user.userId, "offline", user.lastSeenAt)
        }
        if (gone.length === sweepBatch) yield* sweep
      })
      yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced(config.sweep)))

      return Presence.of({
        connected: (userId) =>
          Effect.acquireRelease(
            Effect.flatMap(connect(userId), (came) => (came ? announce(userId, "online", null) : Effect.void)),
            () =>
              Effect.flatMap(disconnect(userId), (went) =>
                went ? Effect.flatMap(Clock.currentTimeMillis, (now) => announce(userId, "offline", now)) : Effect.void
              )
          ),

        set: Effect.fn("Presence.set")(function* (user, status) {
          const changed = yield* store.setAway(user.userId, status === "away").pipe(logged(undefined))
          if (changed !== undefined) yield* announce(user.userId, changed, null)
        }),

        ofChannel: Effect.fn("Presence.ofChannel")(function* (user, channelId) {
          const context = yield* access.find(Actor.of(user), channelId)
          const members = (yield* channels.allMembers(channelId)).filter((member) => member !== user.userId)
          const hidden = members.length === 0 ? new Set<UserId>() : yield* blocks.hiddenAmong(user.userId, members)
          const shown = members.filter((member) => !hidden.has(member))
          const entries = yield* store.get(shown, config.ttl).pipe(logged(none))
          const direct = context.channel.kind === "direct"
          return {
            channelId,
            users: entries.flatMap((entry, index) => {
              const userId = shown[index]
              if (userId === undefined || (!direct && entry.status === "offline")) return []
              return [
                {
                  userId,
                  status: entry.status,
                  lastSeenAt: entry.lastSeenAt === null ? null : DateTime.makeUnsafe(entry.lastSeenAt)
                }
              ]
            })
          }
        })
      })
    })
  )
}
