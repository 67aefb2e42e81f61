import type { UserId } from "@moim/domain/Accounts/User"
import type { CurrentUser } from "@moim/domain/Kit/Authentication"
import {
  type ContactMatch,
  ContactsUploaded,
  contactsLimit,
  TooManyContacts,
  type UploadContactsPayload
} from "@moim/domain/Social/Social"
import { NotifyContactJoined } from "@moim/domain/Social/SocialNotifications"
import { Context, Effect, Layer, Result } from "effect"
import { Blocks } from "../Access/Blocks.ts"
import { E164 } from "../Accounts/E164.ts"
import { PhoneDirectory } from "../Accounts/PhoneDirectory.ts"
import { PhoneOwnership } from "../Accounts/PhoneOwnership.ts"
import { Profiles } from "../Accounts/Profiles.ts"
import { JobQueue } from "../platform/JobQueue.ts"
import { Transaction } from "../platform/Transaction.ts"
import { ContactsRepo } from "./ContactsRepo.ts"
import { GraphRepo } from "./GraphRepo.ts"
import { SettingsRepo } from "./SettingsRepo.ts"

type SignedIn = CurrentUser["Service"]

/**
 * Finding your contacts on Moim. Numbers are normalised to E.164 and kept only as keyed hashes
 * (`PhoneDirectory.hash`, HMAC under a key derived from `MOIM_SECRET`), matched against the hashes of
 * verified numbers; email addresses are matched against verified ones and not kept. A match is shown
 * only when its owner lets themselves be found that way and neither of you blocked the other.
 */
export class Contacts extends Context.Service<
  Contacts,
  {
    readonly upload: (
      user: SignedIn,
      input: typeof UploadContactsPayload.Type
    ) => Effect.Effect<ContactsUploaded, TooManyContacts>
    readonly removeAll: (user: SignedIn) => Effect.Effect<void>
    /** Who should hear that `userId` joined, now that their number (by hash) is verified. */
    readonly whoKnows: (userId: UserId, contactHash: string) => Effect.Effect<ReadonlyArray<UserId>>
  }
>()("@moim/server/Social/Contacts") {
  static readonly layer = Layer.effect(
    Contacts,
    Effect.gen(function* () {
      const transaction = yield* Transaction.make
      const repo = yield* ContactsRepo
      const directory = yield* PhoneDirectory
      const settings = yield* SettingsRepo
      const graph = yield* GraphRepo
      const blocks = yield* Blocks
      const profiles = yield* Profiles

      /** Of these people, those who let the user find them this way and are not blocked either way. */
      const findable = Effect.fn("Contacts.findable")(function* (
        userId: UserId,
        ids: ReadonlyArray<UserId>,
        by: "phone" | "email"
      ) {
        const others = ids.filter((id) => id !== userId)
        const [chosen, hidden] = yield* Effect.all([settings.getMany(others), blocks.hiddenAmong(userId, others)], {
          concurrency: 2
        })
        return others.filter((id) => {
          const found = chosen.get(id)
          return (
            found !== undefined && (by === "phone" ? found.findableByPhone : found.findableByEmail) && !hidden.has(id)
          )
        })
      })

      return Contacts.of({
        upload: Effect.fn("Contacts.upload")(function* (user, input) {
          const phoneNumbers = input.phoneNumbers ?? []
          const emails = [...new Set(input.emails ?? [])]
          // Each hash, and the number as the user sent it (the first one, when two spell one number).
          const sent = new Map<string, string>()
          let invalid = 0
          for (const phoneNumber of phoneNumbers) {
            const parsed = E164.parse({ phoneNumber, country: input.country })
            if (Result.isFailure(parsed)) {
              invalid++
              continue
            }
            const hash = directory.hash(parsed.success)
            if (!sent.has(hash)) sent.set(hash, phoneNumber)
          }
          const hashes = [...sent.keys()]
          const stored = yield* transaction(
            Effect.gen(function* () {
              const stored = yield* repo.insert(user.userId, hashes)
              if (stored > contactsLimit) {
                return yield* new TooManyContacts({
                  message: `You may keep ${contactsLimit} contacts; delete them and upload again`,
                  limit: contactsLimit
                })
              }
              return stored
            })
          )
          const [byPhone, byEmail] = yield* Effect.all(
            [directory.findByHashes(hashes), profiles.findVerifiedByEmails(emails)],
            { concurrency: 2 }
          )
          const candidates: ReadonlyArray<{
            readonly userId: UserId
            readonly contact: string
            readonly by: "phone" | "email"
          }> = [
            ...byPhone.flatMap((match) => {
              const contact = sent.get(match.hash)
              return contact === undefined ? [] : [{ userId: match.userId, contact, by: "phone" as const }]
            }),
            ...[...byEmail].map(([email, userId]) => ({ userId, contact: email, by: "email" as const }))
          ]
          const [findableByPhone, findableByEmail] = yield* Effect.all(
            [
              findable(
                user.userId,
                candidates.filter((candidate) => candidate.by === "phone").map((candidate) => candidate.userId),
                "phone"
              ),
              findable(
                user.userId,
                candidates.filter((candidate) => candidate.by === "email").map((candidate) => candidate.userId),
                "email"
              )
            ],
            { concurrency: 2 }
          )
          const shown = { phone: new Set(findableByPhone), email: new Set(findableByEmail) }
          const kept = candidates.filter((candidate) => shown[candidate.by].has(candidate.userId))
          const people = yield* profiles.getMany(kept.map((candidate) => candidate.userId))
          const matches = yield* Effect.forEach(
            kept,
            (candidate) =>
              Effect.map(
                graph.relationship(user.userId, candidate.userId),
                (relationship): ReadonlyArray<typeof ContactMatch.Type> => {
                  const profile = people.get(candidate.userId)
                  return profile === undefined
                    ? []
                    : [{ contact: candidate.contact, by: candidate.by, user: profile, relationship }]
                }
              ),
            { concurrency: 8 }
          )
          return new ContactsUploaded({
            received: phoneNumbers.length + emails.length,
            invalid,
            stored,
            matches: matches.flat()
          })
        }),
        removeAll: (user) => transaction(repo.removeAll(user.userId)),
        whoKnows: Effect.fn("Contacts.whoKnows")(function* (userId, contactHash) {
          const own = yield* settings.get(userId)
          if (!own.findableByPhone) return []
          const owners = (yield* repo.owners(contactHash)).filter((owner) => owner !== userId)
          const hidden = yield* blocks.hiddenAmong(userId, owners)
          return owners.filter((owner) => !hidden.has(owner))
        })
      })
    })
  )
}

/**
 * What the social feature gives accounts: when a number becomes an account's, the people who have it
 * in their contacts are told, through a job in the verifying transaction.
 */
export const ContactsPhoneOwnership = Layer.effect(
  PhoneOwnership,
  Effect.gen(function* () {
    const jobs = yield* JobQueue
    return {
      proven: (userId, number) =>
        jobs.enqueue(NotifyContactJoined, { userId, contactHash: number.contactHash }).pipe(Effect.asVoid)
    }
  })
)
