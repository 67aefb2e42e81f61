import { Layer } from "effect"
import { ReportNotifier } from "./ReportNotifier.ts"
import { Reports } from "./Reports.ts"
import { ReportsRepo } from "./ReportsRepo.ts"

/**
 * The reports feature's services, on posts (`Posts`, `Comments`), groups (`Groups`, `GroupAccess`)
 * and accounts (`Profiles`, `AccountAdmin`): each reported item is found and taken down through its
 * own feature.
 */
export const ReportsLive = Reports.layer.pipe(Layer.provide(ReportsRepo.layer))

/** Who hears of resolved reports (for the worker), on the notifications feature's `Notifications`. */
export const ReportNotifierLive = ReportNotifier.layer.pipe(Layer.provide(ReportsRepo.layer))
