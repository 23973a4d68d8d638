import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { API_GATEWAY } from '../../model/awsLimits.js';
import type { JwtAuthorizer } from '../../model/httpAuthSchema.js';
import { TributaryError } from '../../shared/tributaryError.js';

/** API Gateway's JWT authorizers accept RSA signatures only. */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

export type JwtVerdict =
  | { readonly ok: true; readonly claims: JWTPayload; readonly scopes: readonly string[] }
  | { readonly ok: false; readonly description: string };

/** The token's scopes: `scope` (space-separated) or `scp` (a list or a space-separated string). */
function scopesOf(claims: JWTPayload): string[] {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not valid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the JWKS matches the token';
  if (error instanceof errors.JWKSTimeout) return 'the JWKS could not be fetched in time';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  return 'the token is not a valid JWT';
}

/**
 * One JWT authorizer's checks, as API Gateway makes them: signature by a key of the issuer's JWKS (RSA only),
 * then `iss`, `exp`, `nbf`, and `aud` or `client_id` against the audiences. Scopes are checked per route by the
 * caller. Time comes from the injected clock, so expiry tests need no sleeping.
 *
 * @example
 * const verifier = new JwtVerifier(authorizer, appDir);
 * const verdict = await verifier.verify(token, clock.now());
 */
export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly authorizer: JwtAuthorizer;

  constructor(authorizer: JwtAuthorizer, appDir: string) {
    this.authorizer = authorizer;
    if ('file' in authorizer.jwks) {
      const file = resolve(appDir, authorizer.jwks.file);
      let jwks: JSONWebKeySet;
      try {
        jwks = JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
      } catch (error) {
        throw new TributaryError(
          'ERR_CONFIG_INVALID',
          `the JWKS file ${file} could not be read as JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.keys = createLocalJWKSet(jwks);
    } else {
      this.keys = createRemoteJWKSet(new URL(authorizer.jwks.url), { timeoutDuration: API_GATEWAY.jwksTimeoutMs });
    }
  }

  async verify(token: string, nowMs: number): Promise<JwtVerdict> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keys, {
        issuer: this.authorizer.issuer,
        algorithms: RSA_ALGORITHMS,
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      return { ok: false, description: describe(error) };
    }
    const audiences = [...(Array.isArray(claims.aud) ? claims.aud : [claims.aud]), claims.client_id];
    if (!audiences.some((a) => typeof a === 'string' && this.authorizer.audience.includes(a)))
      return { ok: false, description: 'the token does not have a valid audience' };
    return { ok: true, claims, scopes: scopesOf(claims) };
  }
}

/** Claims as API Gateway hands them to the function: every value a string (lists as `[a b]`). */
export function claimStrings(claims: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = `[${value.map(String).join(' ')}]`;
    else out[name] = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  }
  return out;
}
