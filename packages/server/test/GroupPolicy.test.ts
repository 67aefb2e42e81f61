/** @module-tag no-database */
import { describe, expect, it } from "@effect/vitest"
import { UserId } from "@moim/domain/Accounts/User"
import type { EventCreation } from "@moim/domain/Groups/Group"
import { Effect, Exit } from "effect"
import type { Actor } from "../src/Access/Actor.ts"
import { type GroupAction, GroupPolicy, type PolicyContext } from "../src/Groups/GroupPolicy.ts"
import { noStanding, type Standing } from "../src/Groups/MembershipsRepo.ts"

type Who = "anonymous" | "outsider" | "pending" | "invited" | "banned" | "member" | "admin" | "owner" | "siteAdmin"
type Outcome = "yes" | "Forbidden" | "GroupNotFound"

const user = UserId.make("01890000-0000-7000-8000-000000000001")

const who: Record<Who, { readonly actor: Actor; readonly standing: Standing }> = {
  anonymous: { actor: null, standing: noStanding },
  outsider: { actor: { userId: user, siteRole: "user" }, standing: noStanding },
  pending: { actor: { userId: user, siteRole: "user" }, standing: { ...noStanding, pending: true } },
  invited: { actor: { userId: user, siteRole: "user" }, standing: { ...noStanding, invited: true } },
  banned: { actor: { userId: user, siteRole: "user" }, standing: { ...noStanding, banned: true } },
  member: { actor: { userId: user, siteRole: "user" }, standing: { ...noStanding, role: "member" } },
  admin: { actor: { userId: user, siteRole: "user" }, standing: { ...noStanding, role: "admin" } },
  owner: { actor: { userId: user, siteRole: "user" }, standing: { ...noStanding, role: "owner" } },
  siteAdmin: { actor: { userId: user, siteRole: "admin" }, standing: noStanding }
}

const context = (
  name: Who,
  visibility: "public" | "private",
  eventCreation: EventCreation = "members"
): PolicyContext => ({
  group: { visibility, eventCreation },
  actor: who[name].actor,
  standing: who[name].standing
})

const outcome = (effect: Effect.Effect<void, { readonly _tag: string }>): Outcome => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return "yes"
  const error = Exit.findErrorOption(exit)
  return error._tag === "Some" && error.value._tag === "Forbidden" ? "Forbidden" : "GroupNotFound"
}

const run = (action: GroupAction, name: Who, visibility: "public" | "private") =>
  outcome(
    action === "view"
      ? GroupPolicy.checkView(context(name, visibility))
      : GroupPolicy.check(action, context(name, visibility))
  )

/** Who may do what: the decision table, written out rather than derived from the policy it checks. */
const table: Record<"public" | "private", Record<GroupAction, Record<Who, Outcome>>> = {
  public: {
    view: {
      anonymous: "yes",
      outsider: "yes",
      pending: "yes",
      invited: "yes",
      banned: "yes",
      member: "yes",
      admin: "yes",
      owner: "yes",
      siteAdmin: "yes"
    },
    participate: {
      anonymous: "Forbidden",
      outsider: "Forbidden",
      pending: "Forbidden",
      invited: "Forbidden",
      banned: "Forbidden",
      member: "yes",
      admin: "yes",
      owner: "yes",
      siteAdmin: "Forbidden"
    },
    // With the default `eventCreation: members`; `admins` is `eventsByAdmins` below.
    createEvents: {
      anonymous: "Forbidden",
      outsider: "Forbidden",
      pending: "Forbidden",
      invited: "Forbidden",
      banned: "Forbidden",
      member: "yes",
      admin: "yes",
      owner: "yes",
      siteAdmin: "Forbidden"
    },
    moderate: {
      anonymous: "Forbidden",
      outsider: "Forbidden",
      pending: "Forbidden",
      invited: "Forbidden",
      banned: "Forbidden",
      member: "Forbidden",
      admin: "yes",
      owner: "yes",
      siteAdmin: "yes"
    },
    delete: {
      anonymous: "Forbidden",
      outsider: "Forbidden",
      pending: "Forbidden",
      invited: "Forbidden",
      banned: "Forbidden",
      member: "Forbidden",
      admin: "Forbidden",
      owner: "yes",
      siteAdmin: "yes"
    },
    changeRoles: {
      anonymous: "Forbidden",
      outsider: "Forbidden",
      pending: "Forbidden",
      invited: "Forbidden",
      banned: "Forbidden",
      member: "Forbidden",
      admin: "Forbidden",
      owner: "yes",
      siteAdmin: "Forbidden"
    },
    transfer: {
      anonymous: "Forbidden",
      outsider: "Forbidden",
      pending: "Forbidden",
      invited: "Forbidden",
      banned: "Forbidden",
      member: "Forbidden",
      admin: "Forbidden",
      owner: "yes",
      siteAdmin: "Forbidden"
    }
  },
  // A private group does not exist for those who may not see it: not even "Forbidden" leaks it.
  private: {
    view: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "yes",
      admin: "yes",
      owner: "yes",
      siteAdmin: "yes"
    },
    participate: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "yes",
      admin: "yes",
      owner: "yes",
      siteAdmin: "Forbidden"
    },
    createEvents: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "yes",
      admin: "yes",
      owner: "yes",
      siteAdmin: "Forbidden"
    },
    moderate: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "Forbidden",
      admin: "yes",
      owner: "yes",
      siteAdmin: "yes"
    },
    delete: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "Forbidden",
      admin: "Forbidden",
      owner: "yes",
      siteAdmin: "yes"
    },
    changeRoles: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "Forbidden",
      admin: "Forbidden",
      owner: "yes",
      siteAdmin: "Forbidden"
    },
    transfer: {
      anonymous: "GroupNotFound",
      outsider: "GroupNotFound",
      pending: "GroupNotFound",
      invited: "GroupNotFound",
      banned: "GroupNotFound",
      member: "Forbidden",
      admin: "Forbidden",
      owner: "yes",
      siteAdmin: "Forbidden"
    }
  }
}

/** Who may remove or ban a member with each role (in a public group). */
const removal: Record<"owner" | "admin" | "member", Record<Who, Outcome>> = {
  owner: {
    anonymous: "Forbidden",
    outsider: "Forbidden",
    pending: "Forbidden",
    invited: "Forbidden",
    banned: "Forbidden",
    member: "Forbidden",
    admin: "Forbidden",
    owner: "Forbidden",
    siteAdmin: "Forbidden"
  },
  admin: {
    anonymous: "Forbidden",
    outsider: "Forbidden",
    pending: "Forbidden",
    invited: "Forbidden",
    banned: "Forbidden",
    member: "Forbidden",
    admin: "Forbidden",
    owner: "yes",
    siteAdmin: "yes"
  },
  member: {
    anonymous: "Forbidden",
    outsider: "Forbidden",
    pending: "Forbidden",
    invited: "Forbidden",
    banned: "Forbidden",
    member: "Forbidden",
    admin: "yes",
    owner: "yes",
    siteAdmin: "yes"
  }
}

/** Creating events in a group whose `eventCreation` is `admins`: its owner and admins only. */
const eventsByAdmins: Record<"public" | "private", Record<Who, Outcome>> = {
  public: {
    anonymous: "Forbidden",
    outsider: "Forbidden",
    pending: "Forbidden",
    invited: "Forbidden",
    banned: "Forbidden",
    member: "Forbidden",
    admin: "yes",
    owner: "yes",
    siteAdmin: "Forbidden"
  },
  private: {
    anonymous: "GroupNotFound",
    outsider: "GroupNotFound",
    pending: "GroupNotFound",
    invited: "GroupNotFound",
    banned: "GroupNotFound",
    member: "Forbidden",
    admin: "yes",
    owner: "yes",
    siteAdmin: "Forbidden"
  }
}

const everyone: ReadonlyArray<Who> = Object.keys(who).filter((name): name is Who => name in who)
const actions: ReadonlyArray<GroupAction> = [
  "view",
  "participate",
  "createEvents",
  "moderate",
  "delete",
  "changeRoles",
  "transfer"
]
const targets: ReadonlyArray<"owner" | "admin" | "member"> = ["owner", "admin", "member"]

describe("GroupPolicy, as a decision table", () => {
  for (const visibility of ["public", "private"] as const) {
    for (const action of actions) {
      it(`${action} a ${visibility} group`, () => {
        const actual = Object.fromEntries(everyone.map((name) => [name, run(action, name, visibility)]))
        expect(actual).toEqual(table[visibility][action])
      })
    }
    it(`create events in a ${visibility} group where only admins may`, () => {
      const actual = Object.fromEntries(
        everyone.map((name) => [name, outcome(GroupPolicy.check("createEvents", context(name, visibility, "admins")))])
      )
      expect(actual).toEqual(eventsByAdmins[visibility])
    })
  }

  for (const target of targets) {
    it(`remove or ban a group's ${target}`, () => {
      const actual = Object.fromEntries(
        everyone.map((name) => [name, outcome(GroupPolicy.checkRemove(context(name, "public"), target))])
      )
      expect(actual).toEqual(removal[target])
    })
  }
})
