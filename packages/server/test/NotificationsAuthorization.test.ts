import { randomUUID } from "node:crypto"
import { GroupId } from "@moim/domain/Groups/Group"
import { NotificationId } from "@moim/domain/Notifications/Notification"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { createGroup, signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  type Row,
  type Services,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName = "anonymous" | "recipient" | "other" | "suspended" | "siteAdmin"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "recipient", "other", "suspended", "siteAdmin"]

interface World {
  readonly recipient: TestUser
  readonly other: TestUser
  readonly suspended: TestUser
  readonly siteAdmin: TestUser
  readonly publicGroup: GroupId
  readonly privateGroup: GroupId
}

interface NotificationCell {
  readonly token: string | undefined
  /** A fresh notification of the recipient's, for this cell alone. */
  readonly notification: NotificationId
}

/** A notification of the recipient's about their own account, written straight to the database. */
const setup = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const id = NotificationId.make(randomUUID())
    yield* sql`
      INSERT INTO notifications (id, recipient_id, type, subject_kind, subject_id, group_id, actor_ids, actor_count,
        data, created_at, updated_at)
      VALUES (${id}, ${world.recipient.userId}, 'group.removed', 'user', ${world.recipient.userId}, NULL, '{}', 0,
        ${JSON.stringify({ groupId: world.publicGroup, groupName: "Matrix" })}::jsonb, now(), now())`
    return { token: actor === "anonymous" ? undefined : world[actor].token, notification: id }
  }).pipe(Effect.orDie)

/** Everyone signed in may, on their own notifications or preferences. */
const ownOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  recipient: success,
  other: success,
  suspended,
  siteAdmin: success
})

/** Only the recipient may: to everyone else, the notification does not exist. */
const recipientOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  ...ownOnly(success),
  other: [404, "NotificationNotFound"],
  siteAdmin: [404, "NotificationNotFound"]
})

const base = "/api/v1/me/notifications"
const prefs = "/api/v1/me/notification-preferences"

const rows: ReadonlyArray<Row<ActorName, World, NotificationCell, Services>> = [
  {
    operation: "list your notifications",
    setup,
    rest: (c) => call("GET", base, { token: c.token }),
    rpc: (_c, _w, client) => client.ListNotifications({}),
    expect: ownOnly([200])
  },
  {
    operation: "count your notifications",
    setup,
    rest: (c) => call("GET", `${base}/counts`, { token: c.token }),
    rpc: (_c, _w, client) => client.CountNotifications(),
    expect: ownOnly([200])
  },
  {
    operation: "mark the recipient's notification read",
    setup,
    rest: (c) => call("POST", `${base}/${c.notification}/read`, { token: c.token }),
    rpc: (c, _w, client) => client.MarkNotificationRead({ id: c.notification }),
    expect: recipientOnly([204])
  },
  {
    operation: "mark read up to the recipient's notification",
    setup,
    rest: (c) => call("POST", `${base}/read`, { token: c.token, body: { upTo: c.notification } }),
    rpc: (c, _w, client) => client.MarkNotificationsRead({ upTo: c.notification }),
    expect: recipientOnly([200])
  },
  {
    operation: "mark all yours read",
    setup,
    rest: (c) => call("POST", `${base}/read`, { token: c.token }),
    rpc: (_c, _w, client) => client.MarkNotificationsRead({}),
    expect: ownOnly([200])
  },
  {
    operation: "mark all yours seen",
    setup,
    rest: (c) => call("POST", `${base}/seen`, { token: c.token }),
    rpc: (_c, _w, client) => client.MarkNotificationsSeen(),
    expect: ownOnly([204])
  },
  {
    operation: "delete the recipient's notification",
    setup,
    rest: (c) => call("DELETE", `${base}/${c.notification}`, { token: c.token }),
    rpc: (c, _w, client) => client.DeleteNotification({ id: c.notification }),
    expect: recipientOnly([204])
  },
  {
    operation: "read your preferences",
    setup,
    rest: (c) => call("GET", prefs, { token: c.token }),
    rpc: (_c, _w, client) => client.GetNotificationPreferences(),
    expect: ownOnly([200])
  },
  {
    operation: "change your preferences",
    setup,
    rest: (c) => call("PATCH", prefs, { token: c.token, body: { digest: "weekly" } }),
    rpc: (_c, _w, client) => client.UpdateNotificationPreferences({ digest: "weekly" }),
    expect: ownOnly([200])
  },
  {
    operation: "mute a public group",
    setup,
    rest: (c, w) => call("PUT", `${prefs}/muted-groups/${w.publicGroup}`, { token: c.token }),
    rpc: (_c, w, client) => client.MuteGroupNotifications({ groupId: w.publicGroup }),
    expect: ownOnly([204])
  },
  {
    operation: "mute a private group",
    setup,
    rest: (c, w) => call("PUT", `${prefs}/muted-groups/${w.privateGroup}`, { token: c.token }),
    rpc: (_c, w, client) => client.MuteGroupNotifications({ groupId: w.privateGroup }),
    expect: { ...ownOnly([204]), other: [404, "GroupNotFound"] }
  },
  {
    operation: "unmute a group",
    setup,
    rest: (c, w) => call("DELETE", `${prefs}/muted-groups/${w.privateGroup}`, { token: c.token }),
    rpc: (_c, w, client) => client.UnmuteGroupNotifications({ groupId: w.privateGroup }),
    expect: ownOnly([204])
  }
]

describeMatrix("Notification authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const recipient = yield* signUp("Recipient")
    return {
      recipient,
      other: yield* signUp("Other"),
      suspended: yield* suspendedUser,
      siteAdmin: yield* siteAdmin,
      publicGroup: GroupId.make(yield* createGroup(recipient, { name: "Open matrix" })),
      privateGroup: GroupId.make(yield* createGroup(recipient, { name: "Closed matrix", visibility: "private" }))
    } satisfies World
  }).pipe(Effect.orDie),
  rows
})
