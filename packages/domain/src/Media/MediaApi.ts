import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import * as Feature from "../Kit/Feature.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { Attachment, MediaId, MediaUpload, StartMediaUploadPayload } from "./Media.ts"
import { MediaAttached, MediaNotFound, MediaNotUploaded, MediaSizeMismatch } from "./MediaErrors.ts"

export const StartMediaUpload = Operation.make(
  {
    rpc: "StartMediaUpload",
    access: Access.signedIn,
    body: Operation.body(StartMediaUploadPayload),
    success: MediaUpload,
    status: 201,
    errors: [],
    summary: "Start uploading a photo",
    description:
      "Answers a URL to send the file's bytes to, straight to storage, for 15 minutes; then finalise the upload. The URL accepts exactly the declared size and type. A photo not finalised, or not attached to anything, within a day is deleted."
  },
  (rest) => HttpApiEndpoint.post("startUpload", "/media", rest.options).middleware(rest.middleware)
)

export const FinalizeMediaUpload = Operation.make(
  {
    rpc: "FinalizeMediaUpload",
    access: Access.signedIn,
    params: { id: MediaId },
    success: Attachment,
    errors: [MediaNotFound, MediaNotUploaded, MediaSizeMismatch],
    summary: "Finish uploading a photo",
    description:
      "Call it once the bytes are uploaded: the photo is `processing` until its renditions are made (poll `GET /media/{id}`), or `failed` with the reason. Finalising again answers the photo as it is."
  },
  (rest) => HttpApiEndpoint.post("finalize", "/media/:id/finalize", rest.options).middleware(rest.middleware)
)

export const GetMedia = Operation.make(
  {
    rpc: "GetMedia",
    access: Access.signedIn,
    params: { id: MediaId },
    success: Attachment,
    errors: [MediaNotFound],
    summary: "One of your photos",
    description:
      "Its state, size, placeholder and renditions. Only its uploader reads it here; others see it where it is attached (a post). An upload not finalised yet is not found."
  },
  (rest) => HttpApiEndpoint.get("get", "/media/:id", rest.options).middleware(rest.middleware)
)

export const DeleteMedia = Operation.make(
  {
    rpc: "DeleteMedia",
    access: Access.signedIn,
    params: { id: MediaId },
    errors: [MediaNotFound, MediaAttached],
    summary: "Delete a photo you have not attached",
    description:
      "It and its files are gone. A photo attached to a post goes away with the post, or when the post no longer shows it."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/media/:id", rest.options).middleware(rest.middleware)
)

export const MediaOperations = [StartMediaUpload, FinalizeMediaUpload, GetMedia, DeleteMedia] as const

export class MediaApi extends Operation.httpGroup("media", MediaOperations).annotateMerge(
  OpenApi.annotations({
    title: "Media",
    description: "Photos: uploaded straight to storage, checked and resized by the server, attached to posts"
  })
) {}

export class MediaRpcs extends Operation.rpcGroup(MediaOperations) {}

export const MediaFeature = Feature.make({
  name: "media",
  rest: [MediaApi],
  rpcs: MediaRpcs,
  operations: MediaOperations,
  restOnly: [],
  rpcOnly: []
})
