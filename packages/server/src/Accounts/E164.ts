import { InvalidPhoneNumber } from "@moim/domain/Accounts/Phone"
import { Result } from "effect"
import { isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max"

/**
 * Phone numbers in E.164 (`+14155552671`), the one form stored, compared and texted. Parsing uses
 * libphonenumber's full metadata, so a number must fit its country's numbering plan, not just have
 * the right length.
 */
export const E164 = {
  /** The number a client typed: international with `+`, or national with its country. */
  parse: (input: {
    readonly phoneNumber: string
    readonly country?: string | undefined
  }): Result.Result<string, InvalidPhoneNumber> => {
    const country = input.country
    if (country !== undefined && !isSupportedCountry(country)) {
      return Result.fail(new InvalidPhoneNumber({ message: `Unknown country code ${country}` }))
    }
    if (!input.phoneNumber.trim().startsWith("+") && country === undefined) {
      return Result.fail(
        new InvalidPhoneNumber({
          message: "Send the number with + and its country code, or its country in `country`"
        })
      )
    }
    const parsed = parsePhoneNumberFromString(
      input.phoneNumber,
      country === undefined ? undefined : { defaultCountry: country }
    )
    if (parsed === undefined || !parsed.isValid()) {
      return Result.fail(new InvalidPhoneNumber({ message: "This is not a valid phone number" }))
    }
    return Result.succeed(parsed.number)
  }
}
