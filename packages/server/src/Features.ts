import { Effect, Layer } from "effect"
import { Idempotency } from "./Access/Idempotency.ts"
import { RequestRateLimits } from "./Access/RequestRateLimits.ts"
import { AccountsLive } from "./Accounts/AccountsLive.ts"
import { AccountsFeature } from "./Accounts/Feature.ts"
import { UserSubjects } from "./Accounts/UserSubjects.ts"
import { ActivityRecorderLive } from "./Analytics/ActivityRecorder.ts"
import { AnalyticsAccountErasure, AnalyticsLive } from "./Analytics/AnalyticsLive.ts"
import { AnalyticsFeature } from "./Analytics/Feature.ts"
import { ChatLive, ChatMembershipChangesLive } from "./Chat/ChatLive.ts"
import { ChatNotifier } from "./Chat/ChatNotifier.ts"
import { ChatPresenceLive } from "./Chat/ChatPresenceLive.ts"
import { ChannelTopics, ChatMediaSubjects, ChatMessageSubjects } from "./Chat/ChatResolvers.ts"
import { ChatFeature } from "./Chat/Feature.ts"
import { EventSubjects, EventTopics } from "./Events/EventResolvers.ts"
import { EventNotifierLive, EventsLive } from "./Events/EventsLive.ts"
import { EventsFeature } from "./Events/Feature.ts"
import { GroupsFeature } from "./Groups/Feature.ts"
import { GroupTopics } from "./Groups/GroupStream.ts"
import { GroupSubjects, InvitationSubjects } from "./Groups/GroupSubjects.ts"
import { GroupNotifierLive, GroupsEmailOwnership, GroupsLive } from "./Groups/GroupsLive.ts"
import { MediaFeature } from "./Media/Feature.ts"
import { MediaLive } from "./Media/MediaLive.ts"
import { MediaOrphans } from "./Media/MediaOrphans.ts"
import { DeliveryChannels } from "./Notifications/DeliveryChannels.ts"
import { EmailDispatcher } from "./Notifications/EmailDispatcher.ts"
import { NotificationEmailsFeature } from "./Notifications/EmailFeature.ts"
import { NotificationEmailsLive } from "./Notifications/EmailLive.ts"
import { NotificationsFeature } from "./Notifications/Feature.ts"
import { MobilePushDispatcher } from "./Notifications/MobilePushDispatcher.ts"
import { MobilePushFeature } from "./Notifications/MobilePushFeature.ts"
import { MobilePushChannelLive, MobilePushLive } from "./Notifications/MobilePushLive.ts"
import { NotificationSubjects } from "./Notifications/NotificationSubjects.ts"
import { NotificationsLive } from "./Notifications/NotificationsLive.ts"
import { PushAccountErasure } from "./Notifications/PushAccountErasure.ts"
import { PushDispatcher } from "./Notifications/PushDispatcher.ts"
import { PushFeature } from "./Notifications/PushFeature.ts"
import { PushChannelLive, PushLive } from "./Notifications/PushLive.ts"
import { OpsFeature } from "./Ops/Feature.ts"
import { PostsFeature } from "./Posts/Feature.ts"
import { PostMediaSubjects, PostSubjects, PostTopics } from "./Posts/PostResolvers.ts"
import { PostNotifierLive, PostsLive } from "./Posts/PostsLive.ts"
import { RealtimeFeature } from "./Realtime/Feature.ts"
import { NotificationStream } from "./Realtime/NotificationStream.ts"
import { RealtimeLive } from "./Realtime/RealtimeLive.ts"
import { StreamOutbox } from "./Realtime/StreamOutbox.ts"
import { TopicAccess } from "./Realtime/TopicAccess.ts"
import { RecommendationsFeature } from "./Recommendations/Feature.ts"
import {
  RecommendationErasureLive,
  RecommendationSignalsLive,
  RecommendationsLive
} from "./Recommendations/RecommendationsLive.ts"
import { ReportsFeature } from "./Reports/Feature.ts"
import { ReportSubjects } from "./Reports/ReportSubjects.ts"
import { ReportNotifierLive, ReportsLive } from "./Reports/ReportsLive.ts"
import { ContactsPhoneOwnership } from "./Social/Contacts.ts"
import { SocialFeature } from "./Social/Feature.ts"
import { SocialGraphLive } from "./Social/SocialGraph.ts"
import { SocialLive, SocialNotifierLive } from "./Social/SocialLive.ts"
import { SystemFeature } from "./System/Feature.ts"
import { ServerInfo } from "./System/ServerInfo.ts"

/**
 * The server's feature registry. `features` lists every feature once: its REST group
 * implementations, its RPC handlers and its plain routes (redirects, metrics), each plain route
 * listed in `plainRoutes` with why it is neither an API operation nor has an RPC twin. `FeatureServices`
 * below wires the features' services to each other. Adding a feature adds its line to each.
 */
const features = [
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

type Feature = (typeof features)[number]

/** A route outside the API document and the RPC group, and why. */
export interface PlainRoute {
  readonly route: string
  readonly why: string
}

const merge = <K extends "http" | "rpc" | "routes">(key: K) => {
  const [first, ...rest] = features.map((feature): Feature[K] => feature[key])
  if (first === undefined) throw new Error("No features")
  return Layer.mergeAll(first, ...rest)
}

export const FeatureHttp = merge("http")
export const FeatureRpc = merge("rpc")
export const FeatureRoutes = merge("routes")
export const plainRoutes: ReadonlyArray<PlainRoute> = features.flatMap((feature) => feature.plainRoutes)

/**
 * Every feature's services, wired to each other in dependency order, shared by the server and the
 * worker: groups read profiles from accounts (`Profiles`), accounts hand email-addressed invitations
 * to groups (`EmailOwnership`, implemented by groups), posts live in groups (`GroupAccess`) and
 * attach photos (`MediaLibrary`), events live in groups too (`GroupAccess`), reports find and remove posts, comments, users and groups through
 * their features, notifications ask each feature whether a subject is still visible
 * (`NotificationSubjects`), and the notifiers (groups, posts, reports, events, social, chat) tell people of events through
 * notifications. A feature's services come after those they use; the compiler refuses an order that
 * leaves a service missing.
 */
export const FeatureServices = Layer.mergeAll(
  GroupNotifierLive,
  PostNotifierLive,
  ReportNotifierLive,
  EventNotifierLive,
  SocialNotifierLive,
  ChatNotifier.layer
).pipe(
  Layer.provideMerge(NotificationsLive),
  // Notification emails: sent by the worker's jobs, unsubscribed from through the API.
  Layer.provideMerge(NotificationEmailsLive),
  // Web push and mobile push (FCM, APNs): devices through the API, pushes sent by the worker's jobs.
  Layer.provideMerge(Layer.merge(PushLive, MobilePushLive)),
  // Which subjects still exist: for notifications, and for the photos whose post or message was
  // removed with its group or channel (`MediaOrphans`, for the media purge).
  Layer.provideMerge(
    Layer.merge(
      NotificationSubjects.layer(
        Effect.all([
          GroupSubjects,
          InvitationSubjects,
          UserSubjects,
          PostSubjects,
          ReportSubjects,
          EventSubjects,
          ChatMessageSubjects
        ])
      ),
      MediaOrphans.layer(Effect.all([PostMediaSubjects, ChatMediaSubjects]))
    )
  ),
  // The channels beyond in-app, each handed every delivered batch in its transaction.
  Layer.provideMerge(
    DeliveryChannels.layer(Effect.all([NotificationStream, EmailDispatcher, PushDispatcher, MobilePushDispatcher]))
  ),
  Layer.provideMerge(Layer.merge(PushChannelLive, MobilePushChannelLive)),
  // Reports, of posts and comments among others; interests and suggestions of groups, events and
  // people, on what those features answer.
  Layer.provideMerge(Layer.mergeAll(ReportsLive, RecommendationsLive)),
  // Events of groups (`GroupAccess`), with their hosts' profiles (`Profiles`).
  Layer.provideMerge(EventsLive),
  // Chat in groups (`GroupAccess`) and conversations between friends (`AudienceGraph`), with blocks
  // (`Blocks`); the social graph: follows, friendships, blocks, settings, the home feed (of posts), profile pages.
  Layer.provideMerge(ChatLive.pipe(Layer.provideMerge(SocialLive))),
  // Posts, whose followers and friends audiences ask the social graph (`AudienceGraph`).
  Layer.provideMerge(PostsLive),
  // Photos: uploaded through the API, processed and purged by the worker, attached by posts (`MediaLibrary`).
  Layer.provideMerge(MediaLive),
  Layer.provideMerge(GroupsLive),
  Layer.provideMerge(AccountsLive),
  // A number verified tells those who have it in their contacts (`PhoneOwnership`, by social); an
  // erased account is forgotten by recommendations, analytics and the push channels too (`AccountErasure`).
  Layer.provide(
    Layer.mergeAll(
      ContactsPhoneOwnership,
      RecommendationErasureLive.pipe(Layer.provide(AnalyticsAccountErasure.pipe(Layer.provide(PushAccountErasure))))
    )
  ),
  Layer.provide(GroupsEmailOwnership),
  // Members are in their group's `general` channel and leave its channels with it (`MembershipChanges`, by
  // chat); then joins and departures, follows, friendships and RSVPs refresh the person's suggestions
  // (`MembershipChanges` after chat's, `GraphChanges`, `RsvpChanges`, by recommendations).
  Layer.provide(RecommendationSignalsLive.pipe(Layer.provide(ChatMembershipChangesLive))),
  // The per-request rate limits and idempotency keys; activity aggregates for site admins and the partitions' upkeep; and
  // what people do, told by every feature (\`ActivityLog\`), buffered and written in batches by analytics.
  Layer.provideMerge(Layer.mergeAll(RequestRateLimits.layer, Idempotency.layer, AnalyticsLive, ActivityRecorderLive)),
  // The social graph's answers to the ports every feature asks (`Blocks`, posts' `AudienceGraph`).
  Layer.provideMerge(SocialGraphLive),
  // What features publish to the realtime stream, in their transactions.
  Layer.provideMerge(StreamOutbox.layer),
  Layer.merge(ServerInfo.layer)
)

/**
 * What only a server process runs, on top of `FeatureServices`: the realtime hub and the streams of
 * its connections (workers sequence the stream instead), and who may join which topic.
 */
export const ServerFeatureServices = RealtimeLive.pipe(
  Layer.provide(TopicAccess.layer(Effect.all([GroupTopics, PostTopics, EventTopics, ChannelTopics]))),
  // Typing and presence (chat's `EphemeralSignals`), live on the streams of this process.
  Layer.provideMerge(ChatPresenceLive),
  Layer.provideMerge(FeatureServices)
)
