import type { FriendRequestPolicy, Visibility } from "@moim/domain/Social/Social"

/** Where the viewer stands with a profile's owner. */
export interface Standing {
  readonly self: boolean
  readonly signedIn: boolean
  readonly follows: boolean
  readonly friends: boolean
}

/** The social feature's decisions, as pure functions of a setting and where the viewer stands. */
export const SocialPolicy = {
  /** May the viewer see what the owner shows to `visibility`? */
  visible: (visibility: Visibility, standing: Standing): boolean => {
    if (standing.self) return true
    switch (visibility) {
      case "everyone":
        return true
      case "followers":
        return standing.signedIn && (standing.follows || standing.friends)
      case "friends":
        return standing.signedIn && standing.friends
      case "only_me":
        return false
    }
  },
  /** A private account's follower lists are for itself and its followers. */
  listsVisible: (privateAccount: boolean, standing: Standing): boolean =>
    !privateAccount || standing.self || standing.follows,
  /** May someone ask the owner to be friends? */
  mayRequestFriendship: (policy: FriendRequestPolicy, haveMutualFriend: boolean): boolean =>
    policy === "everyone" || (policy === "friends_of_friends" && haveMutualFriend)
}
