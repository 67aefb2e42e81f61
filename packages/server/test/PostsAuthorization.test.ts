import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { GroupId } from "@moim/domain/Groups/Group"
import { CommentId, PostId } from "@moim/domain/Posts/Post"
import { ReportId } from "@moim/domain/Reports/Report"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, siteAdmin, suspendedUser, type TestUser } from "./support/Actors.ts"
import {
  asBatch,
  batchRest,
  batchRpc,
  describeMatrix,
  type Expectation,
  forbidden,
  type Row,
  type Services,
  suspended,
  unauthorized
} from "./support/AuthorizationMatrix.ts"
import { call } from "./support/Http.ts"

type ActorName =
  | "anonymous"
  | "outsider"
  | "chosen"
  | "member"
  | "author"
  | "admin"
  | "owner"
  | "banned"
  | "siteAdmin"
  | "suspended"

const actorNames: ReadonlyArray<ActorName> = [
  "anonymous",
  "outsider",
  "chosen",
  "member",
  "author",
  "admin",
  "owner",
  "banned",
  "siteAdmin",
  "suspended"
]

type World = Record<Exclude<ActorName, "anonymous">, TestUser>

/**
 * One cell's private group (owner, admin, member, author; banned), a post of the author's in it with
 * a comment of the member's and an open report (from someone who has since left), and a post on
 * the author's profile for `chosen` alone.
 */
interface Scenario {
  readonly groupId: GroupId
  readonly postId: PostId
  readonly commentId: CommentId
  readonly reportId: ReportId
  readonly profilePostId: PostId
  readonly token: string | undefined
}

const scenario = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const groupId = GroupId.make(randomUUID())
    const postId = PostId.make(randomUUID())
    const profilePostId = PostId.make(randomUUID())
    const commentId = CommentId.make(randomUUID())
    const reportId = ReportId.make(randomUUID())
    const id = (user: TestUser) => UserId.make(user.userId)
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`
          INSERT INTO groups (id, name, description, category, tags, visibility, join_policy, member_limit, owner_id,
            member_count, post_count, search, created_at, updated_at)
          VALUES (${groupId}, 'Matrix posts', '', 'other', '{}'::text[], 'private', 'invite', NULL, ${id(world.owner)},
            4, 1, to_tsvector('simple', 'Matrix posts'), now(), now())`
        for (const [user, role] of [
          [world.owner, "owner"],
          [world.admin, "admin"],
          [world.member, "member"],
          [world.author, "member"]
        ] as const) {
          yield* sql`INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (${groupId}, ${id(user)}, ${role}, now())`
        }
        yield* sql`
          INSERT INTO group_bans (group_id, user_id, banned_by, reason, created_at)
          VALUES (${groupId}, ${id(world.banned)}, ${id(world.owner)}, '', now())`
        yield* sql`
          INSERT INTO posts (id, author_id, group_id, audience, title, body, search, comment_count, created_at,
            activity_at)
          VALUES (${postId}, ${id(world.author)}, ${groupId}, NULL, 'Matrix', 'In the group',
            to_tsvector('simple', 'matrixword in the group'), 1, now(), now())`
        yield* sql`
          INSERT INTO comments (id, post_id, author_id, parent_id, depth, body, created_at)
          VALUES (${commentId}, ${postId}, ${id(world.member)}, NULL, 0, 'A comment', now())`
        yield* sql`
          INSERT INTO reports (id, subject_kind, subject_id, group_id, excerpt, reporter_id, reason, created_at)
          VALUES (${reportId}, 'post', ${postId}, ${groupId}, 'In the group', ${id(world.outsider)}, 'spam', now())`
        yield* sql`
          INSERT INTO posts (id, author_id, group_id, audience, audience_user_ids, title, body, search, created_at, activity_at)
          VALUES (${profilePostId}, ${id(world.author)}, NULL, 'specific', ARRAY[${id(world.chosen)}]::uuid[], NULL,
            'For one person', to_tsvector('simple', 'matrixword for one person'), now(), now())`
      })
    )
    return {
      groupId,
      postId,
      commentId,
      reportId,
      profilePostId,
      token: actor === "anonymous" ? undefined : world[actor].token
    } satisfies Scenario
  }).pipe(Effect.orDie)

const postNotFound: Expectation = [404, "PostNotFound"]
const groupNotFound: Expectation = [404, "GroupNotFound"]
const commentNotFound: Expectation = [404, "CommentNotFound"]
const reportNotFound: Expectation = [404, "ReportNotFound"]

/** Who may see the group's post: its members and site admins; to everyone else it does not exist. */
const inGroup = (members: Expectation, others: Expectation = postNotFound): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  outsider: others,
  chosen: others,
  member: members,
  author: members,
  admin: members,
  owner: members,
  banned: others,
  siteAdmin: members,
  suspended
})

/** The author and the group's moderators (and site admins) may; other members are refused. */
const authorOrModerators = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success),
  member: forbidden
})

/** The group's moderators (and site admins) may. */
const moderators = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success),
  member: forbidden,
  author: forbidden
})

/** Those who take part: the group's members (a site admin sees, but is not one). */
const participants = (success: Expectation, others: Expectation = postNotFound): Record<ActorName, Expectation> => ({
  ...inGroup(success, others),
  siteAdmin: forbidden
})

/** Every signed-in actor. */
const signedIn = (success: Expectation): Record<ActorName, Expectation> => ({
  ...inGroup(success, success),
  suspended
})

const readers = (expect: Record<ActorName, Expectation>): Record<ActorName, Expectation> => expect

/** A post meant for one person (`chosen`): only they, its author and site admins see it. */
const oneReader: Record<ActorName, Expectation> = {
  anonymous: postNotFound,
  outsider: postNotFound,
  chosen: [200],
  member: postNotFound,
  author: [200],
  admin: postNotFound,
  owner: postNotFound,
  banned: postNotFound,
  siteAdmin: [200],
  suspended: postNotFound
}

const rows: ReadonlyArray<Row<ActorName, World, Scenario, Services>> = [
  {
    operation: "read a post of a private group",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.postId}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetPost({ id: s.postId }),
    expect: readers({ ...inGroup([200]), anonymous: postNotFound, suspended: postNotFound })
  },
  {
    operation: "batch read a post of a private group",
    setup: scenario,
    rest: (s) => batchRest(s.postId, call("GET", `/api/v1/posts/by-ids?ids=${s.postId}`, { token: s.token })),
    rpc: (s, _w, client) => batchRpc(s.postId, client.GetPostsByIds({ ids: [s.postId] })),
    expect: asBatch(readers({ ...inGroup([200]), anonymous: postNotFound, suspended: postNotFound }))
  },
  {
    operation: "batch read a post meant for one person",
    setup: scenario,
    rest: (s) =>
      batchRest(s.profilePostId, call("GET", `/api/v1/posts/by-ids?ids=${s.profilePostId}`, { token: s.token })),
    rpc: (s, _w, client) => batchRpc(s.profilePostId, client.GetPostsByIds({ ids: [s.profilePostId] })),
    expect: asBatch(oneReader)
  },
  {
    operation: "read a post meant for one person",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.profilePostId}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetPost({ id: s.profilePostId }),
    expect: oneReader
  },
  {
    operation: "post in the group",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/groups/${s.groupId}/posts`, { token: s.token, body: { body: "Hello" } }),
    rpc: (s, _w, client) => client.CreateGroupPost({ id: s.groupId, body: "Hello" }),
    expect: { ...inGroup([201], groupNotFound), siteAdmin: forbidden }
  },
  {
    operation: "post on one's profile",
    setup: scenario,
    rest: (s) => call("POST", "/api/v1/me/posts", { token: s.token, body: { body: "Hello" } }),
    rpc: (_s, _w, client) => client.CreateProfilePost({ body: "Hello" }),
    expect: {
      anonymous: unauthorized,
      outsider: [201],
      chosen: [201],
      member: [201],
      author: [201],
      admin: [201],
      owner: [201],
      banned: [201],
      siteAdmin: [201],
      suspended
    }
  },
  {
    operation: "edit the post",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/posts/${s.postId}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.UpdatePost({ id: s.postId, body: "Edited" }),
    expect: { ...inGroup(forbidden), author: [200] }
  },
  {
    operation: "edit the profile post",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/posts/${s.profilePostId}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.UpdatePost({ id: s.profilePostId, body: "Edited" }),
    expect: {
      anonymous: unauthorized,
      outsider: postNotFound,
      chosen: forbidden,
      member: postNotFound,
      author: [200],
      admin: postNotFound,
      owner: postNotFound,
      banned: postNotFound,
      siteAdmin: forbidden,
      suspended
    }
  },
  {
    operation: "read the post's earlier versions",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.postId}/versions`, { token: s.token }),
    rpc: (s, _w, client) => client.ListPostVersions({ id: s.postId }),
    expect: authorOrModerators([200])
  },
  {
    operation: "delete the post",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}`, { token: s.token }),
    rpc: (s, _w, client) => client.DeletePost({ id: s.postId }),
    expect: authorOrModerators([204])
  },
  {
    operation: "pin the post",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/posts/${s.postId}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.PinPost({ id: s.postId }),
    expect: moderators([200])
  },
  {
    operation: "unpin the post",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}/pin`, { token: s.token }),
    rpc: (s, _w, client) => client.UnpinPost({ id: s.postId }),
    expect: moderators([200])
  },
  {
    operation: "lock the post's comments",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/posts/${s.postId}/comments-lock`, { token: s.token }),
    rpc: (s, _w, client) => client.LockPostComments({ id: s.postId }),
    expect: authorOrModerators([200])
  },
  {
    operation: "unlock the post's comments",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}/comments-lock`, { token: s.token }),
    rpc: (s, _w, client) => client.UnlockPostComments({ id: s.postId }),
    expect: authorOrModerators([200])
  },
  {
    operation: "list the group's posts",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/groups/${s.groupId}/posts`, { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupPosts({ id: s.groupId }),
    expect: readers({ ...inGroup([200], groupNotFound), anonymous: groupNotFound, suspended: groupNotFound })
  },
  {
    operation: "list the author's posts",
    setup: scenario,
    rest: (s, w) => call("GET", `/api/v1/users/${w.author.userId}/posts`, { token: s.token }),
    rpc: (_s, w, client) => client.ListUserPosts({ id: UserId.make(w.author.userId) }),
    expect: readers({ ...inGroup([200], [200]), anonymous: [200], suspended: [200] })
  },
  {
    operation: "search posts",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/posts?q=matrixword", { token: s.token }),
    rpc: (_s, _w, client) => client.SearchPosts({ q: "matrixword" }),
    expect: readers({ ...inGroup([200], [200]), anonymous: [200], suspended: [200] })
  },
  {
    operation: "comment on the post",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/posts/${s.postId}/comments`, { token: s.token, body: { body: "Hi" } }),
    rpc: (s, _w, client) => client.CreateComment({ id: s.postId, body: "Hi" }),
    expect: participants([201])
  },
  {
    operation: "reply to the comment",
    setup: scenario,
    rest: (s) =>
      call("POST", `/api/v1/posts/${s.postId}/comments`, {
        token: s.token,
        body: { body: "Hi", parentId: s.commentId }
      }),
    rpc: (s, _w, client) => client.CreateComment({ id: s.postId, body: "Hi", parentId: s.commentId }),
    expect: participants([201])
  },
  {
    operation: "list the post's comments",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.postId}/comments`, { token: s.token }),
    rpc: (s, _w, client) => client.ListComments({ id: s.postId }),
    expect: readers({ ...inGroup([200]), anonymous: postNotFound, suspended: postNotFound })
  },
  {
    operation: "edit the comment",
    setup: scenario,
    rest: (s) => call("PATCH", `/api/v1/comments/${s.commentId}`, { token: s.token, body: { body: "Edited" } }),
    rpc: (s, _w, client) => client.UpdateComment({ commentId: s.commentId, body: "Edited" }),
    expect: { ...inGroup(forbidden, commentNotFound), member: [200] }
  },
  {
    operation: "delete the comment",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/comments/${s.commentId}`, { token: s.token }),
    rpc: (s, _w, client) => client.DeleteComment({ commentId: s.commentId }),
    expect: inGroup([204], commentNotFound)
  },
  {
    operation: "react to the post",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/posts/${s.postId}/reaction`, { token: s.token, body: { emoji: "like" } }),
    rpc: (s, _w, client) => client.ReactToPost({ id: s.postId, emoji: "like" }),
    expect: participants([200])
  },
  {
    operation: "take back a reaction to the post",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}/reaction`, { token: s.token }),
    rpc: (s, _w, client) => client.UnreactToPost({ id: s.postId }),
    expect: inGroup([200])
  },
  {
    operation: "list who reacted to the post",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/posts/${s.postId}/reactions`, { token: s.token }),
    rpc: (s, _w, client) => client.ListPostReactions({ id: s.postId }),
    expect: readers({ ...inGroup([200]), anonymous: postNotFound, suspended: postNotFound })
  },
  {
    operation: "react to the comment",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/comments/${s.commentId}/reaction`, { token: s.token, body: { emoji: "wow" } }),
    rpc: (s, _w, client) => client.ReactToComment({ commentId: s.commentId, emoji: "wow" }),
    expect: participants([200], commentNotFound)
  },
  {
    operation: "take back a reaction to the comment",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/comments/${s.commentId}/reaction`, { token: s.token }),
    rpc: (s, _w, client) => client.UnreactToComment({ commentId: s.commentId }),
    expect: inGroup([200], commentNotFound)
  },
  {
    operation: "list who reacted to the comment",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/comments/${s.commentId}/reactions`, { token: s.token }),
    rpc: (s, _w, client) => client.ListCommentReactions({ commentId: s.commentId }),
    expect: readers({ ...inGroup([200], commentNotFound), anonymous: commentNotFound, suspended: commentNotFound })
  },
  {
    operation: "bookmark the post",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/posts/${s.postId}/bookmark`, { token: s.token }),
    rpc: (s, _w, client) => client.BookmarkPost({ id: s.postId }),
    expect: inGroup([204])
  },
  {
    operation: "remove a bookmark",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/posts/${s.postId}/bookmark`, { token: s.token }),
    rpc: (s, _w, client) => client.RemoveBookmark({ id: s.postId }),
    expect: signedIn([204])
  },
  {
    operation: "list one's bookmarks",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/bookmarks", { token: s.token }),
    rpc: (_s, _w, client) => client.ListBookmarks({}),
    expect: signedIn([200])
  },
  {
    operation: "report the post",
    setup: scenario,
    rest: (s) =>
      call("POST", "/api/v1/reports", {
        token: s.token,
        body: { subject: { kind: "post", id: s.postId }, reason: "spam" }
      }),
    rpc: (s, _w, client) => client.CreateReport({ subject: { kind: "post", id: s.postId }, reason: "spam" }),
    expect: { ...inGroup([201], [404, "ReportSubjectNotFound"]), author: forbidden }
  },
  {
    operation: "list one's reports",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/reports", { token: s.token }),
    rpc: (_s, _w, client) => client.ListMyReports({}),
    expect: signedIn([200])
  },
  {
    operation: "list the group's report queue",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/groups/${s.groupId}/reports`, { token: s.token }),
    rpc: (s, _w, client) => client.ListGroupReports({ id: s.groupId }),
    expect: { ...inGroup([200], groupNotFound), member: forbidden, author: forbidden }
  },
  {
    operation: "list the site's report queue",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/reports", { token: s.token }),
    rpc: (_s, _w, client) => client.ListReports({}),
    expect: { ...signedIn(forbidden), siteAdmin: [200] }
  },
  {
    operation: "resolve the report",
    setup: scenario,
    rest: (s) => call("POST", `/api/v1/reports/${s.reportId}/resolve`, { token: s.token, body: { action: "dismiss" } }),
    rpc: (s, _w, client) => client.ResolveReport({ id: s.reportId, action: "dismiss" }),
    expect: {
      ...moderators([200]),
      outsider: reportNotFound,
      chosen: reportNotFound,
      banned: reportNotFound,
      member: reportNotFound,
      author: reportNotFound
    }
  }
]

describeMatrix("Post authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const users: World = {
      outsider: yield* signUp("Outsider"),
      chosen: yield* signUp("Chosen"),
      member: yield* signUp("Member"),
      author: yield* signUp("Author"),
      admin: yield* signUp("Admin"),
      owner: yield* signUp("Owner"),
      banned: yield* signUp("Banned"),
      siteAdmin: yield* siteAdmin,
      suspended: yield* suspendedUser
    }
    return users
  }).pipe(Effect.orDie),
  rows
})
