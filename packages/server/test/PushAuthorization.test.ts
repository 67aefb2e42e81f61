import { createECDH, randomBytes } from "node:crypto"
import { PushSubscriptionId } from "@moim/domain/Notifications/PushSubscription"
import { Effect } from "effect"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  describeMatrix,
  type Expectation,
  type Row,
  type Services,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName = "anonymous" | "owner" | "other" | "suspended" | "siteAdmin"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "owner", "other", "suspended", "siteAdmin"]

interface World {
  readonly owner: TestUser
  readonly other: TestUser
  readonly suspended: TestUser
  readonly siteAdmin: TestUser
}

interface PushCell {
  readonly token: string | undefined
  /** A fresh device of the owner's, for this cell alone. */
  readonly subscription: PushSubscriptionId
  /** A fresh browser subscription the actor may register. */
  readonly device: {
    readonly endpoint: string
    readonly keys: { readonly p256dh: string; readonly auth: string }
  }
}

const base = "/api/v1/me/push-subscriptions"

const device = () => {
  const ecdh = createECDH("prime256v1")
  ecdh.generateKeys()
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(16).toString("base64url")}`,
    keys: { p256dh: ecdh.getPublicKey("base64url"), auth: randomBytes(16).toString("base64url") }
  }
}

/** The owner registers a fresh device over HTTP; the cell acts with the actor's token. */
const setup = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const registered = yield* call("POST", base, { token: world.owner.token, body: device() })
    if (registered.status !== 201) return yield* Effect.die(new Error(`register failed: ${registered.text}`))
    return {
      token: actor === "anonymous" ? undefined : world[actor].token,
      subscription: PushSubscriptionId.make(String(registered.body.id)),
      device: device()
    } satisfies PushCell
  })

/** Everyone signed in may, on their own devices. */
const ownOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  owner: success,
  other: success,
  suspended,
  siteAdmin: success
})

/** Only the owner may: to everyone else, the subscription does not exist. */
const ownerOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  ...ownOnly(success),
  other: [404, "PushSubscriptionNotFound"],
  siteAdmin: [404, "PushSubscriptionNotFound"]
})

const rows: ReadonlyArray<Row<ActorName, World, PushCell, Services>> = [
  {
    operation: "read the VAPID public key",
    setup,
    rest: (c) => call("GET", "/api/v1/push/public-key", { token: c.token }),
    rpc: (_c, _w, client) => client.GetPushPublicKey(),
    // A suspended account's token gives no identity on a public read: it reads as anyone may.
    expect: { anonymous: [200], owner: [200], other: [200], suspended: [200], siteAdmin: [200] }
  },
  {
    operation: "register a device",
    setup,
    rest: (c) => call("POST", base, { token: c.token, body: c.device }),
    rpc: (c, _w, client) => client.RegisterPushSubscription(c.device),
    expect: ownOnly([201])
  },
  {
    operation: "list your devices",
    setup,
    rest: (c) => call("GET", base, { token: c.token }),
    rpc: (_c, _w, client) => client.ListPushSubscriptions(),
    expect: ownOnly([200])
  },
  {
    operation: "delete the owner's device",
    setup,
    rest: (c) => call("DELETE", `${base}/${c.subscription}`, { token: c.token }),
    rpc: (c, _w, client) => client.DeletePushSubscription({ id: c.subscription }),
    expect: ownerOnly([204])
  }
]

describeMatrix("Web push authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    return {
      owner: yield* signUp("Owner"),
      other: yield* signUp("Other"),
      suspended: yield* suspendedUser,
      siteAdmin: yield* siteAdmin
    } satisfies World
  }).pipe(Effect.orDie),
  rows
})
