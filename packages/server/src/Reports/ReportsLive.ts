import { Layer } from "effect"
import { Reports } from "./Reports.ts"
import { ReportsRepo } from "./ReportsRepo.ts"

/**
 * The reports feature's services, on posts (`Posts`, `Comments`), groups (`Groups`, `GroupAccess`)
 * and accounts (`Profiles`, `AccountAdmin`): each reported item is found and taken down through its
 * own feature.
 */
export const ReportsLive = Reports.layer.pipe(Layer.provide(ReportsRepo.layer))
