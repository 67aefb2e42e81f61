import { Schema } from "effect"
import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import { AccountSuspended, Unauthorized } from "../Kit/AccessErrors.ts"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { RateLimited } from "../Kit/RateLimited.ts"
import { DeviceName, Nickname } from "./AccountFields.ts"
import {
  IncorrectPhoneCode,
  InvalidPhoneNumber,
  LastSignInMethod,
  NicknameRequired,
  PhoneCode,
  PhoneCodeExpired,
  PhoneCodeSent,
  PhoneNumberInput,
  PhoneNumberNotFound,
  PhoneNumberTaken,
  SmsNotSent
} from "./Phone.ts"
import { LoginResult } from "./TwoFactor.ts"
import { User } from "./User.ts"

export const PhoneCodeRequest = Schema.Struct(PhoneNumberInput).annotate({
  identifier: "PhoneCodeRequest",
  description: "The number to text a code to"
})

export const PhoneSignInPayload = Schema.Struct({
  ...PhoneNumberInput,
  code: PhoneCode,
  nickname: Schema.optional(
    Nickname.annotate({ description: "Required when the number has no account yet: the new account's name" })
  ),
  deviceName: Schema.optional(DeviceName)
}).annotate({
  identifier: "PhoneSignInPayload",
  description: "The number, the code texted to it, and for a new account its nickname"
})

export const VerifyPhoneNumberPayload = Schema.Struct({ code: PhoneCode }).annotate({
  identifier: "VerifyPhoneNumberPayload",
  description: "The code texted to the number you are adding"
})

export const RequestPhoneCode = Operation.make(
  {
    rpc: "RequestPhoneCode",
    access: Access.public,
    body: Operation.body(PhoneCodeRequest),
    success: PhoneCodeSent,
    status: 202,
    errors: [InvalidPhoneNumber, SmsNotSent, RateLimited],
    summary: "Text a sign-in code",
    description:
      "Texts a 6-digit code to the number, valid for 10 minutes and 5 tries, for `POST /auth/phone/sign-in`. Answers the same whether or not the number has an account. A new code replaces the last one; asking again within 60 seconds is `RateLimited`."
  },
  (rest) => HttpApiEndpoint.post("requestCode", "/auth/phone/code", rest.options).middleware(rest.middleware)
)

export const PhoneSignIn = Operation.make(
  {
    rpc: "PhoneSignIn",
    access: Access.public,
    body: Operation.body(PhoneSignInPayload),
    success: LoginResult,
    errors: [InvalidPhoneNumber, IncorrectPhoneCode, PhoneCodeExpired, NicknameRequired, AccountSuspended, RateLimited],
    summary: "Sign in (or up) with a texted code",
    description:
      "Signs in the account whose verified number this is and starts a session for this device; when the number has no account, creates one with `nickname` (without it: `NicknameRequired`, and the code stays valid). A wrong code uses up one of its 5 tries. An account with two-factor authentication answers `SecondFactorRequired` instead, as `POST /auth/login` does."
  },
  (rest) => HttpApiEndpoint.post("signIn", "/auth/phone/sign-in", rest.options).middleware(rest.middleware)
)

export const AddPhoneNumber = Operation.make(
  {
    rpc: "AddPhoneNumber",
    access: Access.signedIn,
    body: Operation.body(PhoneCodeRequest),
    success: PhoneCodeSent,
    status: 202,
    errors: [InvalidPhoneNumber, SmsNotSent, RateLimited, Unauthorized],
    summary: "Add a phone number",
    description:
      "Texts a code to the number; `POST /me/phone-number/verify` with it makes the number yours, in place of any number you had. Asking again within 60 seconds is `RateLimited`."
  },
  (rest) => HttpApiEndpoint.post("add", "/me/phone-number", rest.options).middleware(rest.middleware)
)

export const VerifyPhoneNumber = Operation.make(
  {
    rpc: "VerifyPhoneNumber",
    access: Access.signedIn,
    body: Operation.body(VerifyPhoneNumberPayload),
    success: User,
    errors: [IncorrectPhoneCode, PhoneCodeExpired, PhoneNumberTaken, Unauthorized],
    summary: "Verify the number you are adding",
    description:
      "With the texted code, the number becomes your account's (and a way to sign in). A wrong code uses up one of its 5 tries."
  },
  (rest) => HttpApiEndpoint.post("verify", "/me/phone-number/verify", rest.options).middleware(rest.middleware)
)

export const RemovePhoneNumber = Operation.make(
  {
    rpc: "RemovePhoneNumber",
    access: Access.signedIn,
    errors: [PhoneNumberNotFound, LastSignInMethod, Unauthorized],
    summary: "Remove your phone number",
    description:
      "The number no longer signs you in. An account without an email and password keeps its number (`LastSignInMethod`)."
  },
  (rest) => HttpApiEndpoint.delete("remove", "/me/phone-number", rest.options).middleware(rest.middleware)
)

/** Signing in by phone, and the phone number of your account. */
export const PhoneOperations = [
  RequestPhoneCode,
  PhoneSignIn,
  AddPhoneNumber,
  VerifyPhoneNumber,
  RemovePhoneNumber
] as const

export class PhoneApi extends Operation.httpGroup("phone", PhoneOperations).annotateMerge(
  OpenApi.annotations({ title: "Phone", description: "Sign-in by texted code, and your phone number" })
) {}
