import { UserId } from "@moim/domain/Accounts/User"
import { GroupId, type GroupNotFound } from "@moim/domain/Groups/Group"
import { Forbidden } from "@moim/domain/Kit/AccessErrors"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import { defaultPageSize, type InvalidCursor } from "@moim/domain/Kit/Page"
import { CommentId, PostId } from "@moim/domain/Posts/Post"
import {
  AlreadyReported,
  Report,
  type ReportAction,
  ReportId,
  ReportNotFound,
  ReportResolved,
  type ReportSubject,
  type ReportSubjectKind,
  ReportSubjectNotFound
} from "@moim/domain/Reports/Report"
import type { CreateReportPayload, ReportQueueStatus } from "@moim/domain/Reports/ReportsApi"
import { Config, Context, DateTime, Effect, Layer, Option } from "effect"
import { SecureRandom } from "effect/crypto"
import { Actor } from "../Access/Actor.ts"
import { AccountAdmin } from "../Accounts/AccountAdmin.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { GroupAccess } from "../Groups/GroupAccess.ts"
import { Groups } from "../Groups/Groups.ts"
import { Comments } from "../Posts/Comments.ts"
import { Posts } from "../Posts/Posts.ts"
import { Cursors, type Page, type PageQuery, TimePosition } from "../platform/Cursors.ts"
import { Transaction } from "../platform/Transaction.ts"
import { ReportEvents } from "./ReportNotifier.ts"
import { type ReportRow, ReportsRepo } from "./ReportsRepo.ts"

type SignedIn = CurrentUser["Service"]
type QueueQuery = PageQuery & { readonly status?: typeof ReportQueueStatus.Type | undefined }

const excerptLength = 280
const subjectNotFound = new ReportSubjectNotFound({ message: "Nothing you may see has that id" })
const reportNotFound = new ReportNotFound({ message: "No such report in a queue you handle" })
const excerpt = (text: string) => (text.length > excerptLength ? `${text.slice(0, excerptLength - 1)}…` : text)

/** What a report is about, as the reporter may see it. */
interface Located {
  readonly groupId: GroupId | null
  readonly ownerId: UserId | null
  readonly excerpt: string
}

/**
 * Reports of posts, comments, users and groups, and the queues moderators resolve them from. A
 * report of a group's post or comment goes to the group's owner and admins; every report goes to the
 * site admins. One open report per person and item; a post with open reports from
 * `REPORT_HIDE_THRESHOLD` people is hidden pending review. Resolving one report resolves every open
 * report of the item: dismissed (a hidden post comes back) or removed (the post or comment deleted,
 * the user suspended, the group deleted, through the owning feature's own operation and its checks).
 */
export class Reports extends Context.Service<
  Reports,
  {
    readonly create: (
      user: SignedIn,
      input: typeof CreateReportPayload.Type
    ) => Effect.Effect<Report, ReportSubjectNotFound | AlreadyReported | Forbidden>
    readonly listMine: (user: SignedIn, query: PageQuery) => Effect.Effect<Page<Report>, InvalidCursor>
    readonly listInGroup: (
      user: SignedIn,
      groupId: GroupId,
      query: QueueQuery
    ) => Effect.Effect<Page<Report>, GroupNotFound | Forbidden | InvalidCursor>
    readonly list: (
      user: SignedIn,
      query: QueueQuery & { readonly kind?: ReportSubjectKind | undefined }
    ) => Effect.Effect<Page<Report>, Forbidden | InvalidCursor>
    readonly resolve: (
      user: SignedIn,
      id: ReportId,
      action: ReportAction
    ) => Effect.Effect<Report, ReportNotFound | ReportResolved | Forbidden>
    /** Those among `ids` the viewer filed (for notifications about reports). */
    readonly filedBy: (viewer: NonNullable<Actor>, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
  }
>()("@moim/server/Reports/Reports") {
  static readonly layer = Layer.effect(
    Reports,
    Effect.gen(function* () {
      const hideThreshold = yield* Config.Int("REPORT_HIDE_THRESHOLD").pipe(Config.withDefault(3))
      const transaction = yield* Transaction.make
      const repo = yield* ReportsRepo
      const posts = yield* Posts
      const comments = yield* Comments
      const groups = yield* Groups
      const access = yield* GroupAccess
      const accounts = yield* AccountAdmin
      const profiles = yield* Profiles
      const cursors = yield* Cursors
      const recordResolved = yield* ReportEvents.make

      const show = Effect.fn("Reports.show")(function* (rows: ReadonlyArray<ReportRow>) {
        const reporters = yield* profiles.getMany(rows.map((row) => row.reporterId))
        return rows.map(
          (row) =>
            new Report({
              id: row.id,
              subject: { kind: row.subjectKind, id: row.subjectId },
              groupId: row.groupId,
              excerpt: row.excerpt,
              reporter: reporters.get(row.reporterId) ?? null,
              reason: row.reason,
              text: row.text,
              status: row.status,
              createdAt: DateTime.fromDateUnsafe(row.createdAt),
              resolvedAt: row.resolvedAt === null ? null : DateTime.fromDateUnsafe(row.resolvedAt),
              resolvedBy: row.resolvedBy
            })
        )
      })

      const showOne = (row: ReportRow) =>
        Effect.flatMap(show([row]), ([report]) =>
          report === undefined ? Effect.die(new Error("A report just read was not shown")) : Effect.succeed(report)
        )

      /** The item, if the actor may see it. */
      const locate = Effect.fn("Reports.locate")(
        function* (actor: NonNullable<Actor>, subject: ReportSubject) {
          switch (subject.kind) {
            case "post": {
              const post = yield* posts.describe(actor, PostId.make(subject.id))
              return { groupId: post.groupId, ownerId: post.authorId, excerpt: excerpt(post.text) } satisfies Located
            }
            case "comment": {
              const { comment, context } = yield* comments.see(actor, CommentId.make(subject.id))
              return {
                groupId: context.post.groupId,
                ownerId: comment.authorId,
                excerpt: excerpt(comment.body)
              } satisfies Located
            }
            case "user": {
              const userId = UserId.make(subject.id)
              const profile = (yield* profiles.getMany([userId])).get(userId)
              if (profile === undefined || Option.isNone(yield* profiles.findActive(userId)))
                return yield* subjectNotFound
              return { groupId: null, ownerId: userId, excerpt: profile.nickname } satisfies Located
            }
            case "group": {
              const { group, standing } = yield* access.view(GroupId.make(subject.id), actor)
              return {
                groupId: null,
                ownerId: standing.role === "owner" ? actor.userId : null,
                excerpt: group.name
              } satisfies Located
            }
          }
        },
        Effect.catchTags({
          PostNotFound: () => subjectNotFound,
          CommentNotFound: () => subjectNotFound,
          GroupNotFound: () => subjectNotFound
        })
      )

      /** May the actor handle the report: the site admins all; a group's moderators its posts' and comments'. */
      const mayHandle = Effect.fn("Reports.mayHandle")(function* (actor: NonNullable<Actor>, row: ReportRow) {
        if (Actor.isSiteAdmin(actor)) return true
        if (row.groupId === null) return false
        return yield* access.require(row.groupId, actor, "moderate").pipe(
          Effect.as(true),
          Effect.orElseSucceed(() => false)
        )
      })

      /** Takes the item down through its own feature; one already gone counts as removed. */
      const remove = (user: SignedIn, subject: ReportSubject): Effect.Effect<void, Forbidden> => {
        switch (subject.kind) {
          case "post":
            return posts.remove(user, PostId.make(subject.id)).pipe(Effect.catchTag("PostNotFound", () => Effect.void))
          case "comment":
            return comments
              .remove(user, CommentId.make(subject.id))
              .pipe(Effect.catchTag("CommentNotFound", () => Effect.void))
          case "user":
            return accounts.suspend(user, UserId.make(subject.id), "Removed after reports").pipe(
              Effect.asVoid,
              Effect.catchTag("UserNotFound", () => Effect.void)
            )
          case "group":
            return groups
              .remove(user, GroupId.make(subject.id))
              .pipe(Effect.catchTag("GroupNotFound", () => Effect.void))
        }
      }

      const page = Effect.fn("Reports.page")(function* (
        scope: string,
        rows: ReadonlyArray<ReportRow>,
        limit: number,
        byResolution: boolean
      ) {
        const paged = cursors.page(
          scope,
          rows,
          limit,
          (row) => row,
          (row) => ({ at: ((byResolution ? row.resolvedAt : null) ?? row.createdAt).toISOString(), id: row.id })
        )
        return { items: yield* show(paged.items), nextCursor: paged.nextCursor }
      })

      const queue = Effect.fn("Reports.queue")(function* (
        groupId: GroupId | null,
        query: QueueQuery & { readonly kind?: ReportSubjectKind | undefined }
      ) {
        const open = (query.status ?? "open") === "open"
        const scope = `reports:${groupId ?? "site"}:${open ? "open" : "resolved"}:${query.kind ?? ""}`
        const limit = query.limit ?? defaultPageSize
        const after = yield* cursors.decode(TimePosition, scope, query.cursor)
        const rows = yield* repo.queue({ groupId, kind: query.kind, open, limit: limit + 1, after })
        return yield* page(scope, rows, limit, !open)
      })

      return Reports.of({
        create: Effect.fn("Reports.create")(function* (user, input) {
          const actor = Actor.of(user)
          const located = yield* locate(actor, input.subject)
          if (located.ownerId === user.userId) {
            return yield* new Forbidden({ message: "You cannot report yourself or what is yours" })
          }
          const row = yield* transaction(
            Effect.gen(function* () {
              yield* repo.lockSubject(input.subject)
              const inserted = yield* repo.insert({
                id: ReportId.make(SecureRandom.uuidV7Unsafe()),
                subject: input.subject,
                groupId: located.groupId,
                excerpt: located.excerpt,
                reporterId: user.userId,
                reason: input.reason,
                text: input.text ?? ""
              })
              if (Option.isNone(inserted)) {
                return yield* new AlreadyReported({ message: "Your report of this is still open" })
              }
              if (input.subject.kind === "post" && (yield* repo.openReporters(input.subject)) >= hideThreshold) {
                yield* posts.setHidden(PostId.make(input.subject.id), true)
              }
              return inserted.value
            })
          )
          return yield* showOne(row)
        }),

        listMine: Effect.fn("Reports.listMine")(function* (user, query) {
          const scope = `my-reports:${user.userId}`
          const limit = query.limit ?? defaultPageSize
          const after = yield* cursors.decode(TimePosition, scope, query.cursor)
          const rows = yield* repo.byReporter({ reporterId: user.userId, limit: limit + 1, after })
          return yield* page(scope, rows, limit, false)
        }),

        listInGroup: Effect.fn("Reports.listInGroup")(function* (user, groupId, query) {
          yield* access.require(groupId, Actor.of(user), "moderate")
          return yield* queue(groupId, query)
        }),

        list: Effect.fn("Reports.list")(function* (user, query) {
          yield* Actor.requireSiteAdmin(Actor.of(user))
          return yield* queue(null, query)
        }),

        resolve: Effect.fn("Reports.resolve")(function* (user, id, action) {
          const actor = Actor.of(user)
          const resolved = yield* transaction(
            Effect.gen(function* () {
              const row = yield* repo.lock(id)
              if (Option.isNone(row) || !(yield* mayHandle(actor, row.value))) return yield* reportNotFound
              if (row.value.status !== "open") {
                return yield* new ReportResolved({ message: `This report was already ${row.value.status}` })
              }
              const subject = { kind: row.value.subjectKind, id: row.value.subjectId }
              if (action === "remove") yield* remove(user, subject)
              else if (subject.kind === "post") yield* posts.setHidden(PostId.make(subject.id), false)
              const all = yield* repo.resolve(subject, action, user.userId)
              yield* recordResolved(all.map((report) => report.id))
              const mine = all.find((report) => report.id === id)
              return mine ?? (yield* Effect.die(new Error("A locked open report was not resolved")))
            })
          )
          return yield* showOne(resolved)
        }),

        filedBy: (viewer, ids) => repo.filedBy(viewer.userId, ids)
      })
    })
  )
}
