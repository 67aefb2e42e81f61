import { AccountsFeature } from "./Accounts/AccountsApi.ts"
import { AnalyticsFeature } from "./Analytics/AnalyticsApi.ts"
import { ChatFeature } from "./Chat/ChatApi.ts"
import { EventsFeature } from "./Events/EventsApi.ts"
import { GroupsFeature } from "./Groups/GroupsApi.ts"
import { MediaFeature } from "./Media/MediaApi.ts"
import { NotificationEmailsFeature } from "./Notifications/EmailApi.ts"
import { MobilePushFeature } from "./Notifications/MobilePushApi.ts"
import { NotificationsFeature } from "./Notifications/NotificationsApi.ts"
import { PushFeature } from "./Notifications/PushApi.ts"
import { OpsFeature } from "./Ops/OpsApi.ts"
import { PostsFeature } from "./Posts/PostsApi.ts"
import { RealtimeFeature } from "./Realtime/RealtimeApi.ts"
import { RecommendationsFeature } from "./Recommendations/RecommendationsApi.ts"
import { ReportsFeature } from "./Reports/ReportsApi.ts"
import { SocialFeature } from "./Social/SocialApi.ts"
import { SystemFeature } from "./System/SystemApi.ts"

/**
 * Every feature of Moim, once: the REST API (`Api.ts`), the RPC group (`Rpcs.ts`), the OpenAPI
 * document and the SDK are all derived from this list. Adding a feature adds one line here.
 */
export const Features = [
  SystemFeature,
  AccountsFeature,
  GroupsFeature,
  NotificationsFeature,
  NotificationEmailsFeature,
  PushFeature,
  MobilePushFeature,
  MediaFeature,
  PostsFeature,
  ReportsFeature,
  EventsFeature,
  SocialFeature,
  ChatFeature,
  RecommendationsFeature,
  RealtimeFeature,
  AnalyticsFeature,
  OpsFeature
] as const
