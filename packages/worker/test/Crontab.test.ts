/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import { PurgeExpiredCredentials } from "@moim/domain/Accounts/PurgeExpiredCredentials"
import { MaintainActivityPartitions } from "@moim/domain/Analytics/MaintainActivityPartitions"
import { PurgeDeletedMessages } from "@moim/domain/Chat/PurgeDeletedMessages"
import { SendEventReminders } from "@moim/domain/Events/EventNotifications"
import { PurgeDeletedGroups } from "@moim/domain/Groups/PurgeDeletedGroups"
import { PurgeIdempotencyKeys } from "@moim/domain/Jobs/PurgeIdempotencyKeys"
import { SendEmail } from "@moim/domain/Jobs/SendEmail"
import { WorkerHeartbeat } from "@moim/domain/Jobs/WorkerHeartbeat"
import { PurgeUnusedMedia } from "@moim/domain/Media/PurgeUnusedMedia"
import { SendNotificationDigests } from "@moim/domain/Notifications/EmailJobs"
import { PurgeReadNotifications } from "@moim/domain/Notifications/PurgeReadNotifications"
import { PurgeDeletedPosts } from "@moim/domain/Posts/PurgeDeletedPosts"
import { PurgeStreamEvents } from "@moim/domain/Realtime/PurgeStreamEvents"
import { RebuildRecommendations } from "@moim/domain/Recommendations/RecommendationJobs"
import { crontab, handlers } from "../src/Worker.ts"

describe("the worker's job list and crontab", () => {
  it("runs every declared job once, and schedules exactly the crons their handlers declare", () => {
    const names = handlers.map((handler) => handler.job.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names).toEqual(expect.arrayContaining([SendEmail.name, WorkerHeartbeat.name, PurgeDeletedGroups.name]))
    expect(crontab).toEqual([
      { task: WorkerHeartbeat.name, match: "* * * * *" },
      { task: PurgeIdempotencyKeys.name, match: "29 * * * *" },
      { task: PurgeExpiredCredentials.name, match: "7 * * * *" },
      { task: PurgeDeletedGroups.name, match: "17 3 * * *" },
      { task: SendNotificationDigests.name, match: "0 * * * *" },
      { task: PurgeReadNotifications.name, match: "7 4 * * *" },
      { task: PurgeStreamEvents.name, match: "23 * * * *" },
      { task: PurgeUnusedMedia.name, match: "41 * * * *" },
      { task: PurgeDeletedPosts.name, match: "37 3 * * *" },
      { task: SendEventReminders.name, match: "* * * * *" },
      { task: PurgeDeletedMessages.name, match: "47 3 * * *" },
      { task: MaintainActivityPartitions.name, match: "11 2 * * *" },
      { task: RebuildRecommendations.name, match: "43 2 * * *" }
    ])
  })
})
