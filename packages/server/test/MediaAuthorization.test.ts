import { MediaId } from "@moim/domain/Media/Media"
import { Effect, Schema } from "effect"
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

interface MediaCell {
  readonly token: string | undefined
  /** A fresh photo of the owner's, for this cell alone: uploaded, and finalised when the row needs it. */
  readonly media: MediaId
}

const bytes = new Uint8Array(64).fill(7)
const Upload = Schema.Struct({
  mediaId: Schema.String,
  url: Schema.String,
  headers: Schema.Record(Schema.String, Schema.String)
})

/** The owner starts an upload and sends its bytes over HTTP; finalises it when `finalised`. */
const setupWith =
  (finalised: boolean) =>
  (world: World, actor: ActorName): Effect.Effect<MediaCell, never, Services> =>
    Effect.gen(function* () {
      const started = yield* call("POST", "/api/v1/media", {
        token: world.owner.token,
        body: { contentType: "image/png", size: bytes.byteLength }
      })
      if (started.status !== 201) return yield* Effect.die(new Error(`start failed: ${started.text}`))
      const upload = Schema.decodeUnknownSync(Upload)(started.json)
      const sent = yield* Effect.promise(() =>
        fetch(upload.url, { method: "PUT", headers: upload.headers, body: bytes })
      )
      if (sent.status !== 200) return yield* Effect.die(new Error(`upload failed: ${sent.status}`))
      if (finalised) {
        const done = yield* call("POST", `/api/v1/media/${upload.mediaId}/finalize`, { token: world.owner.token })
        if (done.status !== 200) return yield* Effect.die(new Error(`finalize failed: ${done.text}`))
      }
      return {
        token: actor === "anonymous" ? undefined : world[actor].token,
        media: MediaId.make(upload.mediaId)
      } satisfies MediaCell
    })

const uploaded = setupWith(false)
const finalised = setupWith(true)

/** Everyone signed in may, for themselves. */
const signedIn = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  owner: success,
  other: success,
  suspended,
  siteAdmin: success
})

/** Only the owner may: to everyone else, a site admin included, the photo does not exist. */
const ownerOnly = (success: Expectation): Record<ActorName, Expectation> => ({
  ...signedIn(success),
  other: [404, "MediaNotFound"],
  siteAdmin: [404, "MediaNotFound"]
})

const rows: ReadonlyArray<Row<ActorName, World, MediaCell, Services>> = [
  {
    operation: "start an upload",
    setup: uploaded,
    rest: (c) => call("POST", "/api/v1/media", { token: c.token, body: { contentType: "image/jpeg", size: 1000 } }),
    rpc: (_c, _w, client) => client.StartMediaUpload({ contentType: "image/jpeg", size: 1000 }),
    expect: signedIn([201])
  },
  {
    operation: "finalise the owner's upload",
    setup: uploaded,
    rest: (c) => call("POST", `/api/v1/media/${c.media}/finalize`, { token: c.token }),
    rpc: (c, _w, client) => client.FinalizeMediaUpload({ id: c.media }),
    expect: ownerOnly([200])
  },
  {
    operation: "read the owner's unattached photo",
    setup: finalised,
    rest: (c) => call("GET", `/api/v1/media/${c.media}`, { token: c.token }),
    rpc: (c, _w, client) => client.GetMedia({ id: c.media }),
    expect: ownerOnly([200])
  },
  {
    operation: "delete the owner's unattached photo",
    setup: finalised,
    rest: (c) => call("DELETE", `/api/v1/media/${c.media}`, { token: c.token }),
    rpc: (c, _w, client) => client.DeleteMedia({ id: c.media }),
    expect: ownerOnly([204])
  }
]

describeMatrix("Media authorization matrix, one test per operation, REST and RPC", {
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
