import { Schema } from "effect"
import { Text, TrimmedText } from "../Kit/Text.ts"
import { Timestamp } from "../Kit/Timestamp.ts"

/**
 * A phone number as typed: international with `+` and the country code, or national with `country`.
 * Digits, spaces, `(`, `)`, `.` and `-`; the server normalises it to E.164 (or answers
 * `InvalidPhoneNumber`).
 */
export const PhoneNumberText = TrimmedText({
  minLength: 3,
  maxLength: 32,
  pattern: /^\s*\+?[0-9 ().-]+$/u,
  annotations: {
    description: "A phone number: international, starting with `+` and the country code, or national, with `country`",
    examples: ["+14155552671", "+82 10-1234-5678", "(415) 555-2671"]
  }
})

/** ISO 3166-1 alpha-2, for numbers typed in their national format. */
export const CountryCode = Text({
  minLength: 2,
  maxLength: 2,
  annotations: {
    description: "The country of a national number (ISO 3166-1 alpha-2, e.g. `US`, `KR`)",
    examples: ["US"]
  }
}).check(Schema.isPattern(/^[A-Z]{2}$/u))

/** The six digits of a texted code; spaces around it are ignored. */
export const PhoneCode = TrimmedText({
  minLength: 6,
  maxLength: 16,
  pattern: /^\s*[0-9]{6}\s*$/u,
  annotations: { description: "The 6-digit code texted to the number", examples: ["042917"] }
})

export const PhoneNumberInput = {
  phoneNumber: PhoneNumberText,
  country: Schema.optional(CountryCode)
}

/** A code is on its way. */
export class PhoneCodeSent extends Schema.Class<PhoneCodeSent>("PhoneCodeSent")(
  {
    phoneNumber: Schema.String.annotate({ description: "The number the code was texted to, in E.164" }),
    expiresAt: Timestamp.annotate({ description: "The code works until then (10 minutes), for 5 tries" }),
    resendAfter: Timestamp.annotate({ description: "A new code can be asked for from then on (60 seconds)" })
  },
  { description: "A code was texted to the number" }
) {}

export class InvalidPhoneNumber extends Schema.TaggedError<InvalidPhoneNumber>()(
  "InvalidPhoneNumber",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "InvalidPhoneNumber",
    description: "Not a phone number that can receive texts (or a national number without its country)"
  }
) {}

/** The code is wrong; it counts as a try. */
export class IncorrectPhoneCode extends Schema.TaggedError<IncorrectPhoneCode>()(
  "IncorrectPhoneCode",
  {
    message: Schema.String,
    attemptsLeft: Schema.Int.annotate({ description: "Tries left for this code; at 0, ask for a new one" })
  },
  { httpApiStatus: 400, identifier: "IncorrectPhoneCode", description: "Wrong code" }
) {}

/** No live code for this number: none was sent, it expired (10 minutes), was used, or was tried 5 times. */
export class PhoneCodeExpired extends Schema.TaggedError<PhoneCodeExpired>()(
  "PhoneCodeExpired",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "PhoneCodeExpired",
    description: "No live code: it expired, was used or was tried too often; ask for a new one"
  }
) {}

/** The number has no account yet: send a `nickname` (with the same code) to create one. */
export class NicknameRequired extends Schema.TaggedError<NicknameRequired>()(
  "NicknameRequired",
  { message: Schema.String },
  {
    httpApiStatus: 400,
    identifier: "NicknameRequired",
    description: "The number has no account yet: send a nickname, with the same code, to create one"
  }
) {}

export class PhoneNumberTaken extends Schema.TaggedError<PhoneNumberTaken>()(
  "PhoneNumberTaken",
  { message: Schema.String },
  { httpApiStatus: 409, identifier: "PhoneNumberTaken", description: "Another account has verified this number" }
) {}

export class PhoneNumberNotFound extends Schema.TaggedError<PhoneNumberNotFound>()(
  "PhoneNumberNotFound",
  { message: Schema.String },
  { httpApiStatus: 404, identifier: "PhoneNumberNotFound", description: "Your account has no phone number" }
) {}

/** Removing the number (or a linked provider) would leave the account with no way to sign in. */
export class LastSignInMethod extends Schema.TaggedError<LastSignInMethod>()(
  "LastSignInMethod",
  { message: Schema.String },
  {
    httpApiStatus: 409,
    identifier: "LastSignInMethod",
    description:
      "It is your last way to sign in: an account keeps a password, a verified phone number or a linked provider"
  }
) {}

/** The text could not be sent now (the SMS provider failed or refused); nothing was spent, try again. */
export class SmsNotSent extends Schema.TaggedError<SmsNotSent>()(
  "SmsNotSent",
  { message: Schema.String },
  { httpApiStatus: 503, identifier: "SmsNotSent", description: "The code could not be texted; try again later" }
) {}
