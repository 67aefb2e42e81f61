import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import * as Feature from "../Kit/Feature.ts"
import { InvalidRequest } from "../Kit/InvalidRequest.ts"
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
    errors: [InvalidRequest],
    summary: "Start uploading a photo or a file",
    description:
      'Answers a URL to send the file\'s bytes to, straight to storage, for 15 minutes; then finalise the upload. The URL accepts exactly the declared size and type. A photo (the default `kind`) is one of the `MediaContentType`s, up to 20 MiB; a file (`kind: "file"`, with its `name`) one of the `FileContentType`s, up to 100 MiB; anything else is `InvalidRequest`. An upload not finalised, or not attached to anything, within a day is deleted.'
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
    summary: "Finish uploading a photo or a file",
    description:
      "Call it once the bytes are uploaded: the upload is `processing` until its bytes are checked (and a photo's renditions made; poll `GET /media/{id}`), then `ready`, or `failed` with the reason. Finalising again answers it as it is."
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
    summary: "One of your photos or files",
    description:
      "Its state; a photo's size, placeholder and renditions; a file's name and download link. Only its uploader reads it here; others see it where it is attached (a post, a chat message). An upload not finalised yet is not found."
  },
  (rest) => HttpApiEndpoint.get("get", "/media/:id", rest.options).middleware(rest.middleware)
)

export const DeleteMedia = Operation.make(
  {
    rpc: "DeleteMedia",
    access: Access.signedIn,
    params: { id: MediaId },
    errors: [MediaNotFound, MediaAttached],
    summary: "Delete a photo or a file you have not attached",
    description:
      "It and its stored files are gone. One attached to a post or a message goes away with it, or when it no longer shows it."
  },
  (rest) => HttpApiEndpoint.delete("delete", "/media/:id", rest.options).middleware(rest.middleware)
)

export const MediaOperations = [StartMediaUpload, FinalizeMediaUpload, GetMedia, DeleteMedia] as const

export class MediaApi extends Operation.httpGroup("media", MediaOperations).annotateMerge(
  OpenApi.annotations({
    title: "Media",
    description:
      "Photos and files: uploaded straight to storage, checked by their bytes (photos resized) by the server, attached to posts (photos) and chat messages (both)"
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
