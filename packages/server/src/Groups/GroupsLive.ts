import { Layer } from "effect"
import { ImageUploads } from "../platform/ImageUploads.ts"
import { Groups } from "./Groups.ts"
import { GroupsRepo } from "./GroupsRepo.ts"

/** The groups feature's services, on the platform and the accounts services. */
export const GroupsLive = Groups.layer.pipe(Layer.provide([GroupsRepo.layer, ImageUploads.layer]))
