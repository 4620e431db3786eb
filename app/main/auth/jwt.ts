import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const JWT_ISSUER = 'yoctosehns';
export const JWT_AUDIENCE = 'yoctosehns-api';
export const CLAIMS_NAMESPACE = 'https://hasura.io/jwt/claims';
export const ACCESS_TOKEN_SECONDS = 15 * 60;
/** At most this much clock skew between the office and whoever minted or checks a token. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export interface AccessClaims {
  sub: string;
  ver: number;
  jti: string;
  iat: number;
  exp: number;
  [CLAIMS_NAMESPACE]: Record<string, string | string[]>;
}

/** An authentication failure, answered as Hasura answers it (`invalid-jwt`, `invalid-headers`, `access-denied`). */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: 'invalid-jwt' | 'invalid-headers' | 'access-denied',
    message: string,
  ) {
    super(message);
  }
}

export interface MintInput {
  userId: number;
  version: number;
  role: string;
  allowedRoles: string[];
  /** Further x-hasura-* session values (x-hasura-group-ids as a PostgreSQL array literal `{1,2}`). */
  extra?: Record<string, string>;
  ttlSeconds?: number;
}

export function mintAccessToken(key: Buffer, input: MintInput): { token: string; expiresIn: number; jti: string } {
  const expiresIn = input.ttlSeconds ?? ACCESS_TOKEN_SECONDS;
  const jti = randomUUID();
  const token = jwt.sign(
    {
      ver: input.version,
      [CLAIMS_NAMESPACE]: {
        'x-hasura-allowed-roles': input.allowedRoles,
        'x-hasura-default-role': input.role,
        'x-hasura-user-id': String(input.userId),
        ...input.extra,
      },
    },
    key,
    { algorithm: 'HS256', expiresIn, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, subject: String(input.userId), jwtid: jti },
  );
  return { token, expiresIn, jti };
}

/**
 * Verifies an access JWT: the algorithm pinned to HS256 (no `none`, no RS/HS confusion), signature, audience,
 * issuer, exp/nbf with 60 s tolerance, and the claims namespace. Messages follow Hasura's ("Could not verify
 * JWT: JWTExpired"). The token version is checked against the user by the caller.
 */
export function verifyAccessToken(key: Buffer, token: string, now: number = Date.now()): AccessClaims {
  let payload: unknown;
  try {
    payload = jwt.verify(token, key, {
      algorithms: ['HS256'],
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      clockTimestamp: Math.floor(now / 1000),
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TokenExpiredError') throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTExpired');
    if (e.name === 'NotBeforeError') throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTNotYetValid');
    if (/audience/.test(e.message)) throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTNotInAudience');
    if (/issuer/.test(e.message)) throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTNotInIssuer');
    if (/signature/.test(e.message)) throw new AuthError('invalid-jwt', 'Could not verify JWT: JWSError JWSInvalidSignature');
    if (/algorithm/.test(e.message)) throw new AuthError('invalid-jwt', 'Could not verify JWT: JWSError JWSInvalidSignature (algorithm not allowed)');
    throw new AuthError('invalid-jwt', `Could not verify JWT: JWSError (${e.message})`);
  }
  const p = payload as Partial<AccessClaims> & Record<string, unknown>;
  if (typeof p.exp !== 'number') throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTClaimsSetDecodeError "exp is required"');
  const claims = p[CLAIMS_NAMESPACE];
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new AuthError('invalid-jwt', `claims key: '${CLAIMS_NAMESPACE}' not found`);
  const allowed = (claims as Record<string, unknown>)['x-hasura-allowed-roles'];
  const def = (claims as Record<string, unknown>)['x-hasura-default-role'];
  if (!Array.isArray(allowed) || !allowed.every((r) => typeof r === 'string')) throw new AuthError('invalid-jwt', "JWT claim does not contain x-hasura-allowed-roles");
  if (typeof def !== 'string') throw new AuthError('invalid-jwt', "JWT claim does not contain x-hasura-default-role");
  if (typeof p.sub !== 'string' || typeof p.ver !== 'number') throw new AuthError('invalid-jwt', 'Could not verify JWT: JWTClaimsSetDecodeError "sub and ver are required"');
  return p as AccessClaims;
}
