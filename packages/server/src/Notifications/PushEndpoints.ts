/**
 * Which URLs the server may post pushes to. A push endpoint is a URL a client chose, so posting to
 * any of them would let anyone make the server send requests into its own network (SSRF). Only
 * https URLs on the push services of the browsers are allowed by default; `PUSH_ALLOWED_HOSTS`
 * replaces the list (a self-hosted push service, a test's loopback endpoint).
 */

/** The push services of Chrome and the other Chromium browsers, Firefox, Safari and Edge. */
export const defaultPushHosts: ReadonlyArray<string> = [
  "fcm.googleapis.com",
  "updates.push.services.mozilla.com",
  "*.push.apple.com",
  "*.notify.windows.com"
]

/** One entry of the list: a host, or (`*.`) any host under a domain, on one port ("" is the default). */
export interface AllowedHost {
  readonly host: string
  readonly subdomains: boolean
  readonly port: string
}

/** `fcm.googleapis.com`, `*.push.apple.com`, `127.0.0.1:4000`; undefined when the entry is not a host. */
export const parseAllowedHost = (entry: string): AllowedHost | undefined => {
  const trimmed = entry.trim().toLowerCase()
  const subdomains = trimmed.startsWith("*.")
  const rest = subdomains ? trimmed.slice(2) : trimmed
  if (rest.length === 0 || /[/?#@\s*]/u.test(rest) || !URL.canParse(`https://${rest}`)) return undefined
  const url = new URL(`https://${rest}`)
  return { host: url.hostname, subdomains, port: url.port }
}

/** Parses a comma-separated list; the entries that are not hosts are returned apart, to refuse the setting. */
export const parseAllowedHosts = (
  value: string
): { readonly hosts: ReadonlyArray<AllowedHost>; readonly invalid: ReadonlyArray<string> } => {
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
  const hosts: Array<AllowedHost> = []
  const invalid: Array<string> = []
  for (const entry of entries) {
    const parsed = parseAllowedHost(entry)
    if (parsed === undefined) invalid.push(entry)
    else hosts.push(parsed)
  }
  return { hosts, invalid }
}

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/u.test(hostname)

const matches = (allowed: AllowedHost, url: URL) =>
  allowed.port === url.port &&
  (allowed.subdomains ? url.hostname.endsWith(`.${allowed.host}`) : url.hostname === allowed.host)

/**
 * Why the server will not post to `endpoint`, or undefined when it may: the URL must be https, carry
 * no credentials, and be on an allowed host and port. Plain http is accepted only for a loopback host
 * the list names exactly (a push service in a test), never through a `*.` entry.
 */
export const endpointRefusal = (endpoint: string, allowed: ReadonlyArray<AllowedHost>): string | undefined => {
  if (!URL.canParse(endpoint)) return "The endpoint is not a URL"
  const url = new URL(endpoint)
  if (url.username !== "" || url.password !== "") return "The endpoint must not carry credentials"
  const entry = allowed.find((candidate) => matches(candidate, url))
  if (url.protocol === "https:") {
    return entry === undefined ? `${url.host} is not a push service this server sends to` : undefined
  }
  if (url.protocol === "http:" && entry !== undefined && !entry.subdomains && isLoopback(url.hostname)) return undefined
  return "The endpoint must be an https URL"
}
