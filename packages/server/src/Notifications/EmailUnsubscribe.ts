import { NotificationKinds } from "@moim/domain/Notifications/Catalogue"
import { EmailUnsubscription, InvalidUnsubscribeLink } from "@moim/domain/Notifications/EmailApi"
import { Context, Effect, Layer, Option } from "effect"
import { Profiles } from "../Accounts/Profiles.ts"
import { Transaction } from "../platform/Transaction.ts"
import { EmailUnsubscribeTokens, type UnsubscribeClaim } from "./EmailUnsubscribeTokens.ts"
import { PreferencesRepo } from "./PreferencesRepo.ts"

const invalid = new InvalidUnsubscribeLink({ message: "This unsubscribe link is not valid" })

/**
 * The unsubscribe links of notification emails, for anyone holding one (no sign-in: the link is
 * the credential, and it can only turn emails off). A single email's link turns off that kind's
 * emails; a digest's link turns off every kind's. Opening (describing) a link changes nothing.
 */
export class EmailUnsubscribe extends Context.Service<
  EmailUnsubscribe,
  {
    readonly describe: (token: string) => Effect.Effect<EmailUnsubscription, InvalidUnsubscribeLink>
    readonly unsubscribe: (token: string) => Effect.Effect<void, InvalidUnsubscribeLink>
  }
>()("@moim/server/Notifications/EmailUnsubscribe") {
  static readonly layer = Layer.effect(
    EmailUnsubscribe,
    Effect.gen(function* () {
      const tokens = yield* EmailUnsubscribeTokens
      const preferences = yield* PreferencesRepo
      const profiles = yield* Profiles
      const transaction = yield* Transaction.make

      /** The claim of a token this server signed for an account that exists, and the kinds it names. */
      const resolve = Effect.fn("EmailUnsubscribe.resolve")(function* (token: string) {
        const claim = tokens.verify(token)
        if (Option.isNone(claim)) return yield* invalid
        const kinds = kindsOf(claim.value)
        if (kinds.length === 0) return yield* invalid
        const known = yield* profiles.getMany([claim.value.userId])
        if (!known.has(claim.value.userId)) return yield* invalid
        return { claim: claim.value, kinds }
      })

      return EmailUnsubscribe.of({
        describe: Effect.fn("EmailUnsubscribe.describe")(function* (token) {
          const { claim, kinds } = yield* resolve(token)
          const overrides = yield* preferences.overridesOf([claim.userId])
          const chosen = new Map(overrides.map((row) => [`${row.type}:${row.channel}`, row.enabled] as const))
          const email = kinds.some((kind) => chosen.get(`${kind.type}:email`) ?? kind.defaults.email)
          const [only] = kinds
          return new EmailUnsubscription({
            type: claim.type === null || only === undefined ? null : only.type,
            description: claim.type === null || only === undefined ? "Every notification email" : only.description,
            email,
            message:
              "Opening this link changes nothing. To stop these emails, send a POST request to this same URL (the unsubscribe button of your mail client does), or change your notification preferences in the app."
          })
        }),

        unsubscribe: Effect.fn("EmailUnsubscribe.unsubscribe")(function* (token) {
          const { claim, kinds } = yield* resolve(token)
          yield* transaction(
            Effect.forEach(
              kinds,
              // Off is stored only where the kind's default is on: a choice equal to the default is none.
              (kind) => preferences.setOverride(claim.userId, kind.type, "email", kind.defaults.email ? false : null),
              { discard: true }
            )
          )
          yield* Effect.annotateCurrentSpan({ userId: claim.userId, type: claim.type ?? "*" })
        })
      })
    })
  )
}

const kindsOf = (claim: UnsubscribeClaim): ReadonlyArray<(typeof NotificationKinds)[number]> =>
  claim.type === null ? NotificationKinds : NotificationKinds.filter((kind) => kind.type === claim.type)
