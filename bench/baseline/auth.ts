/**
 * What both baselines (`server.ts` and `fastify.ts`) set up alike: their environment, their pool and
 * the access-token check. One copy, so the two differ only in what serves the request, never in what
 * a signed-in request costs.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import pg from "pg"
import * as Q from "./queries.ts"

export interface Claims {
  readonly userId: string
  readonly sessionId: string
}

/** What `authenticate` reads of a request, whichever server received it. */
export interface Credentials {
  readonly authorization: string | undefined
  readonly address: string | undefined
  readonly userAgent: string | undefined
}

/** Checks access tokens and sessions the way Moim does, for tokens Moim signed under `secret`. */
export const makeAuthenticator = (pool: pg.Pool, secret: string) => {
  // Moim signs access tokens with HMAC-SHA256 under a key derived from MOIM_SECRET for this purpose.
  const jwtKey = createHmac("sha256", secret).update("jwt-access-token").digest()

  /** An HS256 JWT with Moim's claims (`sub`, `sid`, issuer and audience "moim"), checked as `jose` would. */
  const verifyAccessToken = (token: string): Claims | null => {
    const [header, payload, signature] = token.split(".")
    if (header === undefined || payload === undefined || signature === undefined) return null
    const expected = createHmac("sha256", jwtKey).update(`${header}.${payload}`).digest()
    const given = Buffer.from(signature, "base64url")
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
    if (typeof claims !== "object" || claims === null) return null
    if (!("iss" in claims && "aud" in claims && "exp" in claims && "sub" in claims && "sid" in claims)) return null
    const { aud, exp, iss, sid, sub } = claims
    if (iss !== "moim" || aud !== "moim" || typeof exp !== "number" || exp + 5 <= Date.now() / 1000) return null
    if (typeof sub !== "string" || typeof sid !== "string" || !Q.uuid.test(sub) || !Q.uuid.test(sid)) return null
    return { userId: sub, sessionId: sid }
  }

  /** What Moim's authentication middleware does: the token, then the session in one query. */
  return async (credentials: Credentials): Promise<Claims | null> => {
    const header = credentials.authorization ?? ""
    const claims = header.startsWith("Bearer ") ? verifyAccessToken(header.slice(7)) : null
    if (claims === null) return null
    const { rows } = await pool.query<Q.SessionRow>({ ...Q.sessionForAuth, values: [claims.sessionId] })
    const session = rows[0]
    if (session === undefined || session.user_id !== claims.userId) return null
    if (session.status !== "active" || session.revoked || session.expired) return null
    if (session.stale) {
      await pool.query({
        ...Q.touchSession,
        values: [claims.sessionId, credentials.address ?? null, credentials.userAgent ?? null]
      })
    }
    return claims
  }
}

const env = (name: string) => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is required`)
  return value
}

/**
 * A baseline's pool (`DATABASE_URL`, `DATABASE_POOL_SIZE`, default 10 as Moim's), its `PORT`, and
 * the token check under `MOIM_SECRET`.
 */
export const setUpPeer = (applicationName: string) => {
  const pool = new pg.Pool({
    connectionString: env("DATABASE_URL"),
    max: Number(process.env.DATABASE_POOL_SIZE ?? "10"),
    application_name: applicationName
  })
  return { pool, port: Number(env("PORT")), authenticateWith: makeAuthenticator(pool, env("MOIM_SECRET")) }
}
