import type { InvalidPhoneNumber } from "@moim/domain/Accounts/Phone"
import {
  AddPhoneNumber,
  type PhoneCodeRequest,
  PhoneSignIn as PhoneSignInOperation,
  type PhoneSignInPayload,
  RemovePhoneNumber,
  RequestPhoneCode,
  VerifyPhoneNumber,
  type VerifyPhoneNumberPayload
} from "@moim/domain/Accounts/PhoneApi"
import { Api } from "@moim/domain/Api"
import { CurrentUser } from "@moim/domain/Kit/Authentication"
import type { RateLimited } from "@moim/domain/Kit/RateLimited"
import { Effect, Result } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ClientInfo } from "../Access/ClientInfo.ts"
import { RequestRateLimits } from "../Access/RequestRateLimits.ts"
import * as Operations from "../http/Operations.ts"
import { E164 } from "./E164.ts"
import { PhoneNumbers } from "./PhoneNumbers.ts"
import { PhoneSignIn } from "./PhoneSignIn.ts"
import { SessionCookies } from "./SessionCookies.ts"

type NumberInput = typeof PhoneCodeRequest.Type

/** The phone operations' handlers, part of `AccountsRpcs` (see `Handlers.ts`), served on both surfaces. */
export const phoneHandlers = Effect.gen(function* () {
  const signIn = yield* PhoneSignIn
  const numbers = yield* PhoneNumbers
  const limits = yield* RequestRateLimits

  /**
   * Runs `use` with the number in E.164, after the rate limits of `action` per client address and
   * per number (an invalid number counts against the address alone, then is refused).
   */
  const withNumber = <A, E, R>(
    action: "phone-code" | "phone-sign-in",
    input: NumberInput,
    use: (e164: string) => Effect.Effect<A, E, R>
  ): Effect.Effect<A, E | InvalidPhoneNumber | RateLimited, R> =>
    Effect.flatMap(ClientInfo.current, (client) => {
      const parsed = E164.parse(input)
      return limits
        .sensitive(action, { ip: client.ip, phone: Result.getOrUndefined(parsed) })
        .pipe(Effect.andThen(Effect.fromResult(parsed)), Effect.flatMap(use), limits.withRetryAfter)
    })

  return {
    RequestPhoneCode: (input: NumberInput) => withNumber("phone-code", input, signIn.requestCode),
    PhoneSignIn: (input: typeof PhoneSignInPayload.Type) =>
      withNumber("phone-sign-in", input, (e164) =>
        Effect.flatMap(ClientInfo.current, (client) => signIn.signIn({ ...input, e164 }, client))
      ),
    AddPhoneNumber: (input: NumberInput) =>
      CurrentUser.use((actor) => withNumber("phone-code", input, (e164) => numbers.add(actor, e164))),
    VerifyPhoneNumber: ({ code }: typeof VerifyPhoneNumberPayload.Type) =>
      CurrentUser.use((actor) => numbers.verify(actor, code)),
    RemovePhoneNumber: () => CurrentUser.use(numbers.remove)
  }
})

/** The REST group `phone`, on the same handlers as its RPCs. */
export const PhoneHttp = HttpApiBuilder.group(Api, "phone", (group) =>
  Effect.gen(function* () {
    const handler = yield* phoneHandlers
    const cookies = yield* SessionCookies
    return group.handleAll({
      ...Operations.rest(RequestPhoneCode, handler.RequestPhoneCode),
      ...Operations.rest(PhoneSignInOperation, (input) => cookies.issueOrChallenge(handler.PhoneSignIn(input))),
      ...Operations.rest(AddPhoneNumber, handler.AddPhoneNumber),
      ...Operations.rest(VerifyPhoneNumber, handler.VerifyPhoneNumber),
      ...Operations.rest(RemovePhoneNumber, handler.RemovePhoneNumber)
    })
  })
)
