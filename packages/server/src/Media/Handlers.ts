import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import { DeleteMedia, FinalizeMediaUpload, GetMedia, MediaRpcs, StartMediaUpload } from "@moim/domain/Media/MediaApi"
import { Effect, Layer } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { AuthenticationLive } from "../Access/AccessLive.ts"
import * as Operations from "../http/Operations.ts"
import { MediaUploads } from "./MediaUploads.ts"

/** One handler per media operation, run by both surfaces. */
const handlers = Effect.gen(function* () {
  const uploads = yield* MediaUploads
  return MediaRpcs.of({
    StartMediaUpload: (input) => CurrentUser.use((user) => uploads.start(user, input)),
    FinalizeMediaUpload: ({ id }) => CurrentUser.use((user) => uploads.finalize(user, id)),
    GetMedia: ({ id }) => CurrentUser.use((user) => uploads.get(user, id)),
    DeleteMedia: ({ id }) => CurrentUser.use((user) => uploads.remove(user, id))
  })
})

export const MediaRpc = MediaRpcs.toLayer(handlers)

const MediaHttp = HttpApiBuilder.group(Api, "media", (group) =>
  Effect.map(handlers, (handler) =>
    group.handleAll({
      ...Operations.rest(StartMediaUpload, handler.StartMediaUpload),
      ...Operations.rest(FinalizeMediaUpload, handler.FinalizeMediaUpload),
      ...Operations.rest(GetMedia, handler.GetMedia),
      ...Operations.rest(DeleteMedia, handler.DeleteMedia)
    })
  )
)

/** The media REST group with the middleware its endpoints use. */
export const MediaHttpLive = MediaHttp.pipe(Layer.provide(AuthenticationLive))
