import { createHash, randomBytes } from 'node:crypto';

/** Proof Key for Code Exchange (RFC 7636) with S256, and the `state` of an authorization request. */
export interface Pkce {
  /** 43 characters of base64url (32 random bytes): sent only with the code exchange. */
  readonly verifier: string;
  /** base64url(SHA-256(verifier)): sent with the authorization request. */
  readonly challenge: string;
  readonly method: 'S256';
}

export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** An unguessable `state` that ties the browser's callback to this sign-in (CSRF protection, RFC 6749 §10.12). */
export function createState(): string {
  return randomBytes(24).toString('base64url');
}
