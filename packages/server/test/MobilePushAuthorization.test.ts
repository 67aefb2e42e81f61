import { randomBytes } from "node:crypto"
import { MobileDeviceId } from "@moim/domain/Notifications/MobileDevice"
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
import { apnsKey, serviceAccount } from "./support/MobilePushCredentials.ts"

type ActorName = "anonymous" | "owner" | "other" | "suspended" | "siteAdmin"

const actorNames: ReadonlyArray<ActorName> = ["anonymous", "owner", "other", "suspended", "siteAdmin"]

interface World {
  readonly owner: TestUser
  readonly other: TestUser
  readonly suspended: TestUser
  readonly siteAdmin: TestUser
}

interface DeviceCell {
  readonly token: string | undefined
  /** A fresh phone of the owner's, for this cell alone. */
  readonly device: MobileDeviceId
  /** A fresh token the actor may register. */
  readonly registration: { readonly platform: "fcm" | "apns"; readonly token: string; readonly appId: string }
}

const base = "/api/v1/me/mobile-devices"

const registration = () => ({
  platform: "apns" as const,
  token: randomBytes(32).toString("hex"),
  appId: "com.example.moim"
})

/** The owner registers a fresh phone over HTTP; the cell acts with the actor's token. */
const setup = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const registered = yield* call("POST", base, { token: world.owner.token, body: registration() })
    if (registered.status !== 201) return yield* Effect.die(new Error(`register failed: ${registered.text}`))
    return {
      token: actor === "anonymous" ? undefined : world[actor].token,
      device: MobileDeviceId.make(String(registered.body.id)),
      registration: registration()
    } satisfies DeviceCell
  })

/** Everyone signed in may, on their own phones. */
const ownOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  owner: success,
  other: success,
  suspended,
  siteAdmin: success
})

/** Only the owner may: to everyone else, the phone does not exist. */
const ownerOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  ...ownOnly(success),
  other: [404, "MobileDeviceNotFound"],
  siteAdmin: [404, "MobileDeviceNotFound"]
})

const rows: ReadonlyArray<Row<ActorName, World, DeviceCell, Services>> = [
  {
    operation: "register a phone",
    setup,
    rest: (c) => call("POST", base, { token: c.token, body: c.registration }),
    rpc: (c, _w, client) => client.RegisterMobileDevice(c.registration),
    expect: ownOnly([201])
  },
  {
    operation: "list your phones",
    setup,
    rest: (c) => call("GET", base, { token: c.token }),
    rpc: (_c, _w, client) => client.ListMobileDevices(),
    expect: ownOnly([200])
  },
  {
    operation: "delete the owner's phone",
    setup,
    rest: (c) => call("DELETE", `${base}/${c.device}`, { token: c.token }),
    rpc: (c, _w, client) => client.DeleteMobileDevice({ id: c.device }),
    expect: ownerOnly([204])
  }
]

const key = apnsKey()

describeMatrix("Mobile push authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    return {
      owner: yield* signUp("Owner"),
      other: yield* signUp("Other"),
      suspended: yield* suspendedUser,
      siteAdmin: yield* siteAdmin
    } satisfies World
  }).pipe(Effect.orDie),
  rows,
  // Registering needs a platform the server pushes to; nothing is sent in this file.
  env: {
    FCM_SERVICE_ACCOUNT: serviceAccount().json,
    APNS_KEY: key.pem,
    APNS_KEY_ID: key.keyId,
    APNS_TEAM_ID: key.teamId
  }
})
