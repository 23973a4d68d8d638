import { createHash, timingSafeEqual } from 'node:crypto';
import type { Access, Principal } from '../model/accessSchema.js';

/** What a caller presented: an AWS access key id (SigV4), an API key, or a verified JWT's claims. */
export interface CallerIdentity {
  readonly accessKeyId?: string;
  readonly apiKey?: string;
  readonly jwtClaims?: Readonly<Record<string, unknown>>;
}

/** A recognised caller and its grants; `tables` undefined means everything (an app without `access`). */
export interface ResolvedPrincipal {
  readonly name: string;
  readonly tables: readonly string[] | undefined;
  readonly grants: Principal | undefined;
}

/** Every caller of an app without an `access` section: dev's default, everything allowed. */
export const OPEN_PRINCIPAL: ResolvedPrincipal = { name: 'dev', tables: undefined, grants: undefined };

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares as digests, every candidate, so neither a key's length nor its position leaks through timing. */
function matchesAnyKey(presented: string, keys: readonly string[]): boolean {
  const wanted = digest(presented);
  let found = false;
  for (const key of keys) if (timingSafeEqual(digest(key), wanted)) found = true;
  return found;
}

/**
 * Recognises the principal a caller is: by access key id, API key (constant-time) or JWT claim. Undefined when the
 * app declares principals and none matches — callers answer AccessDeniedException. Keys are never logged.
 */
export function resolvePrincipal(access: Access | undefined, identity: CallerIdentity): ResolvedPrincipal | undefined {
  if (access === undefined) return OPEN_PRINCIPAL;
  for (const [name, principal] of Object.entries(access.principals)) {
    const byAccessKey = identity.accessKeyId !== undefined && principal.accessKeyIds.includes(identity.accessKeyId);
    const byApiKey = identity.apiKey !== undefined && matchesAnyKey(identity.apiKey, principal.apiKeys);
    const claim = principal.jwt === undefined ? undefined : identity.jwtClaims?.[principal.jwt.claim];
    const byJwt = principal.jwt !== undefined && typeof claim === 'string' && principal.jwt.values.includes(claim);
    if (byAccessKey || byApiKey || byJwt) return { name, tables: principal.tables, grants: principal };
  }
  return undefined;
}

/** The principal by name (the CLI's `--principal`). */
export function principalNamed(access: Access | undefined, name: string): ResolvedPrincipal | undefined {
  const grants = access?.principals[name];
  return grants === undefined ? undefined : { name, tables: grants.tables, grants };
}
