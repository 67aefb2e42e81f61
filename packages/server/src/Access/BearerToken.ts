import { Unauthorized } from "@moim/domain/Kit/AccessErrors"
import { Effect, type Option } from "effect"

// RFC 6750 `b64token`: what a bearer token may look like.
const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * The one rule for the `Authorization` header, on every endpoint and both surfaces: no header is
 * an anonymous request; `Bearer <token>` carries a token; anything else (another scheme, a bare
 * `Bearer`, an empty value) is refused with 401 rather than quietly read as anonymous, so a client
 * with a broken token never mistakes what it is shown for what its user may see.
 */
export const bearerToken = (header: string | undefined): Effect.Effect<Option.Option<string>, Unauthorized> => {
  if (header === undefined) return Effect.succeedNone
  const match = bearer.exec(header)
  return match?.[1] === undefined
    ? Effect.fail(
        new Unauthorized({ message: "Malformed Authorization header: send Authorization: Bearer <access token>" })
      )
    : Effect.succeedSome(match[1])
}
