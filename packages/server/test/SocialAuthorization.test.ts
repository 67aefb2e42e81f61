import { randomUUID } from "node:crypto"
import { UserId } from "@moim/domain/Accounts/User"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { signUp, suspendedUser, type TestUser } from "./support/Actors.ts"
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

type ActorName = "anonymous" | "stranger" | "follower" | "friend" | "blockedByTarget" | "blockingTarget" | "suspended"

const actorNames: ReadonlyArray<ActorName> = [
  "anonymous",
  "stranger",
  "follower",
  "friend",
  "blockedByTarget",
  "blockingTarget",
  "suspended"
]

type World = Record<Exclude<ActorName, "anonymous">, TestUser>

/**
 * One cell's target: a fresh private account that shows its friends to friends only, which the
 * follower follows (approved), the friend befriended, blocked `blockedByTarget` and was blocked by
 * `blockingTarget`; it has a pending follow request and a pending friend request from the actor
 * (when there is one), so answering them can be tried.
 */
interface Cell {
  readonly target: UserId
  readonly token: string | undefined
}

const scenario = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const target = UserId.make(randomUUID())
    const id = (user: TestUser) => UserId.make(user.userId)
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`
          INSERT INTO users (id, email, nickname, created_at, updated_at)
          VALUES (${target}, ${`${target}@example.com`}, 'Target', now(), now())`
        yield* sql`
          INSERT INTO social_settings (user_id, private_account, friends_list, updated_at)
          VALUES (${target}, true, 'friends', now())`
        yield* sql`
          INSERT INTO follows (follower_id, followee_id, status, created_at)
          VALUES (${id(world.follower)}, ${target}, 'active', now())`
        yield* sql`
          INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
          VALUES (least(${id(world.friend)}::uuid, ${target}::uuid), greatest(${id(world.friend)}::uuid, ${target}::uuid),
            ${target}, 'accepted', now(), now())`
        yield* sql`INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (${target}, ${id(world.blockedByTarget)}, now())`
        yield* sql`INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (${id(world.blockingTarget)}, ${target}, now())`
      })
    )
    return { target, token: actor === "anonymous" ? undefined : world[actor].token } satisfies Cell
  }).pipe(Effect.orDie)

/** The target asked the actor to follow and to be friends (for answering requests). */
const asked = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const cell = yield* scenario(world, actor)
    if (actor === "anonymous" || actor === "blockedByTarget" || actor === "blockingTarget" || actor === "friend") {
      return cell
    }
    const sql = yield* SqlClient.SqlClient
    const me = UserId.make(world[actor].userId)
    yield* sql`
      INSERT INTO follows (follower_id, followee_id, status, created_at) VALUES (${cell.target}, ${me}, 'pending', now())
      ON CONFLICT DO NOTHING`.pipe(Effect.orDie)
    yield* sql`
      INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
      VALUES (least(${me}::uuid, ${cell.target}::uuid), greatest(${me}::uuid, ${cell.target}::uuid), ${cell.target},
        'pending', now(), now())`.pipe(Effect.orDie)
    return cell
  })

/** The actor asked the target to be friends (for withdrawing). */
const asking = (world: World, actor: ActorName) =>
  Effect.gen(function* () {
    const cell = yield* scenario(world, actor)
    if (actor !== "stranger" && actor !== "follower" && actor !== "suspended") return cell
    const sql = yield* SqlClient.SqlClient
    const me = UserId.make(world[actor].userId)
    yield* sql`
      INSERT INTO friendships (low_id, high_id, requester_id, status, created_at, since)
      VALUES (least(${me}::uuid, ${cell.target}::uuid), greatest(${me}::uuid, ${cell.target}::uuid), ${me},
        'pending', now(), now())`.pipe(Effect.orDie)
    return cell
  })

const userNotFound: Expectation = [404, "UserNotFound"]

/** Every signed-in actor gets `success`, whatever their relation. */
const anySignedIn = (success: Expectation): Record<ActorName, Expectation> => ({
  anonymous: unauthorized,
  stranger: success,
  follower: success,
  friend: success,
  blockedByTarget: success,
  blockingTarget: success,
  suspended
})

/** An action on the target: blocked either way, the target is not found. */
const onTarget = (success: Expectation): Record<ActorName, Expectation> => ({
  ...anySignedIn(success),
  blockedByTarget: userNotFound,
  blockingTarget: userNotFound
})

/** A read anyone may try: the suspended read as anonymous. */
const publicRead = (
  success: Expectation,
  others: Partial<Record<ActorName, Expectation>>
): Record<ActorName, Expectation> => ({
  anonymous: success,
  stranger: success,
  follower: success,
  friend: success,
  blockedByTarget: userNotFound,
  blockingTarget: userNotFound,
  suspended: success,
  ...others
})

const rows: ReadonlyArray<Row<ActorName, World, Cell, Services>> = [
  {
    operation: "read the target's profile",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/users/${s.target}`, { token: s.token }),
    rpc: (s, _w, client) => client.GetUser({ id: s.target }),
    expect: publicRead([200], {})
  },
  {
    operation: "batch read the target's profile",
    setup: scenario,
    rest: (s) => batchRest(s.target, call("GET", `/api/v1/users/by-ids?ids=${s.target}`, { token: s.token })),
    rpc: (s, _w, client) => batchRpc(s.target, client.GetUsersByIds({ ids: [s.target] })),
    expect: asBatch(publicRead([200], {}))
  },
  {
    operation: "follow the target",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/users/${s.target}/follow`, { token: s.token }),
    rpc: (s, _w, client) => client.FollowUser({ id: s.target }),
    expect: onTarget([200])
  },
  {
    operation: "unfollow the target",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/users/${s.target}/follow`, { token: s.token }),
    rpc: (s, _w, client) => client.UnfollowUser({ id: s.target }),
    expect: anySignedIn([204])
  },
  {
    operation: "remove the target as a follower",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/me/followers/${s.target}`, { token: s.token }),
    rpc: (s, _w, client) => client.RemoveFollower({ id: s.target }),
    expect: anySignedIn([204])
  },
  {
    operation: "list the private target's followers",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/users/${s.target}/followers`, { token: s.token }),
    rpc: (s, _w, client) => client.ListFollowers({ id: s.target }),
    expect: publicRead(forbidden, { follower: [200] })
  },
  {
    operation: "list whom the private target follows",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/users/${s.target}/following`, { token: s.token }),
    rpc: (s, _w, client) => client.ListFollowing({ id: s.target }),
    expect: publicRead(forbidden, { follower: [200] })
  },
  {
    operation: "list follow requests to oneself",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/follow-requests", { token: s.token }),
    rpc: (_s, _w, client) => client.ListFollowRequests({}),
    expect: anySignedIn([200])
  },
  {
    operation: "approve the target's follow request",
    setup: asked,
    rest: (s) => call("POST", `/api/v1/me/follow-requests/${s.target}/approve`, { token: s.token }),
    rpc: (s, _w, client) => client.ApproveFollowRequest({ id: s.target }),
    expect: {
      ...anySignedIn([204]),
      friend: [404, "FollowRequestNotFound"],
      blockedByTarget: [404, "FollowRequestNotFound"],
      blockingTarget: [404, "FollowRequestNotFound"]
    }
  },
  {
    operation: "decline the target's follow request",
    setup: asked,
    rest: (s) => call("POST", `/api/v1/me/follow-requests/${s.target}/decline`, { token: s.token }),
    rpc: (s, _w, client) => client.DeclineFollowRequest({ id: s.target }),
    expect: {
      ...anySignedIn([204]),
      friend: [404, "FollowRequestNotFound"],
      blockedByTarget: [404, "FollowRequestNotFound"],
      blockingTarget: [404, "FollowRequestNotFound"]
    }
  },
  {
    operation: "ask the target to be friends",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/users/${s.target}/friend-request`, { token: s.token }),
    rpc: (s, _w, client) => client.SendFriendRequest({ id: s.target }),
    expect: onTarget([200])
  },
  {
    operation: "withdraw one's friend request to the target",
    setup: asking,
    rest: (s) => call("DELETE", `/api/v1/users/${s.target}/friend-request`, { token: s.token }),
    rpc: (s, _w, client) => client.CancelFriendRequest({ id: s.target }),
    expect: {
      ...anySignedIn([204]),
      friend: [404, "FriendRequestNotFound"],
      blockedByTarget: [404, "FriendRequestNotFound"],
      blockingTarget: [404, "FriendRequestNotFound"]
    }
  },
  {
    operation: "accept the target's friend request",
    setup: asked,
    rest: (s) => call("POST", `/api/v1/me/friend-requests/${s.target}/accept`, { token: s.token }),
    rpc: (s, _w, client) => client.AcceptFriendRequest({ id: s.target }),
    expect: {
      ...anySignedIn([204]),
      friend: [404, "FriendRequestNotFound"],
      blockedByTarget: [404, "FriendRequestNotFound"],
      blockingTarget: [404, "FriendRequestNotFound"]
    }
  },
  {
    operation: "decline the target's friend request",
    setup: asked,
    rest: (s) => call("POST", `/api/v1/me/friend-requests/${s.target}/decline`, { token: s.token }),
    rpc: (s, _w, client) => client.DeclineFriendRequest({ id: s.target }),
    expect: {
      ...anySignedIn([204]),
      friend: [404, "FriendRequestNotFound"],
      blockedByTarget: [404, "FriendRequestNotFound"],
      blockingTarget: [404, "FriendRequestNotFound"]
    }
  },
  {
    operation: "unfriend the target",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/users/${s.target}/friendship`, { token: s.token }),
    rpc: (s, _w, client) => client.Unfriend({ id: s.target }),
    expect: anySignedIn([204])
  },
  {
    operation: "list the target's friends (shown to friends)",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/users/${s.target}/friends`, { token: s.token }),
    rpc: (s, _w, client) => client.ListFriends({ id: s.target }),
    expect: publicRead(forbidden, { friend: [200] })
  },
  {
    operation: "list mutual friends with the target",
    setup: scenario,
    rest: (s) => call("GET", `/api/v1/users/${s.target}/mutual-friends`, { token: s.token }),
    rpc: (s, _w, client) => client.ListMutualFriends({ id: s.target }),
    expect: { ...onTarget(forbidden), friend: [200] }
  },
  {
    operation: "list incoming friend requests",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/friend-requests/incoming", { token: s.token }),
    rpc: (_s, _w, client) => client.ListIncomingFriendRequests({}),
    expect: anySignedIn([200])
  },
  {
    operation: "list outgoing friend requests",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/friend-requests/outgoing", { token: s.token }),
    rpc: (_s, _w, client) => client.ListOutgoingFriendRequests({}),
    expect: anySignedIn([200])
  },
  {
    operation: "block the target (blocking back is allowed)",
    setup: scenario,
    rest: (s) => call("PUT", `/api/v1/users/${s.target}/block`, { token: s.token }),
    rpc: (s, _w, client) => client.BlockUser({ id: s.target }),
    expect: anySignedIn([204])
  },
  {
    operation: "unblock the target",
    setup: scenario,
    rest: (s) => call("DELETE", `/api/v1/users/${s.target}/block`, { token: s.token }),
    rpc: (s, _w, client) => client.UnblockUser({ id: s.target }),
    expect: anySignedIn([204])
  },
  {
    operation: "list the people one blocked",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/blocks", { token: s.token }),
    rpc: (_s, _w, client) => client.ListBlocked({}),
    expect: anySignedIn([200])
  },
  {
    operation: "read one's settings",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/settings", { token: s.token }),
    rpc: (_s, _w, client) => client.GetSettings(),
    expect: anySignedIn([200])
  },
  {
    operation: "change one's settings",
    setup: scenario,
    rest: (s) => call("PATCH", "/api/v1/me/settings", { token: s.token, body: { lastActive: "friends" } }),
    rpc: (_s, _w, client) => client.UpdateSettings({ lastActive: "friends" }),
    expect: anySignedIn([200])
  },
  {
    operation: "upload one's contacts",
    setup: scenario,
    rest: (s) => call("POST", "/api/v1/me/contacts", { token: s.token, body: { phoneNumbers: ["+14155550100"] } }),
    rpc: (_s, _w, client) => client.UploadContacts({ phoneNumbers: ["+14155550100"] }),
    expect: anySignedIn([200])
  },
  {
    operation: "delete one's contacts",
    setup: scenario,
    rest: (s) => call("DELETE", "/api/v1/me/contacts", { token: s.token }),
    rpc: (_s, _w, client) => client.DeleteContacts(),
    expect: anySignedIn([204])
  },
  {
    operation: "read one's home feed",
    setup: scenario,
    rest: (s) => call("GET", "/api/v1/me/feed", { token: s.token }),
    rpc: (_s, _w, client) => client.GetHomeFeed({}),
    expect: anySignedIn([200])
  }
]

describeMatrix("Social authorization matrix, one test per operation, REST and RPC", {
  actors: actorNames,
  world: Effect.gen(function* () {
    const users: World = {
      stranger: yield* signUp("Stranger"),
      follower: yield* signUp("Follower"),
      friend: yield* signUp("Friend"),
      blockedByTarget: yield* signUp("Blocked"),
      blockingTarget: yield* signUp("Blocking"),
      suspended: yield* suspendedUser
    }
    return users
  }).pipe(Effect.orDie),
  rows
})
