import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject, createPrivateKey } from 'node:crypto';

/** The RS256 key the sandbox token service signs with; `kid` appears in token headers and the key set. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: `sandbox-${randomUUID().slice(0, 8)}`, privateKey, publicKey };
}

export function signingKeyFromPem(kid: string, privateKeyPem: string): SigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  return { kid, privateKey, publicKey: createPublicKey(privateKey) };
}

export function signingKeyToPem(key: SigningKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function signJwt(key: SigningKey, payload: Record<string, unknown>, extraHeader: Record<string, unknown> = {}): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid, ...extraHeader };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export type JwtVerification =
  | { readonly ok: true; readonly header: Record<string, unknown>; readonly payload: Record<string, unknown> }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' };

// Clients send the same token with every request for hours: an RSA verification per request was a seventh of
// the connectivity proxy's CPU. Good signatures are remembered per key (bounded); `exp` is still checked each time.
const verifiedTokens = new WeakMap<SigningKey, Map<string, { header: Record<string, unknown>; payload: Record<string, unknown> }>>();
const maxRemembered = 1_000;

/** Verifies an RS256 JWT against the sandbox key and its `exp`; any other algorithm is refused. */
export function verifyJwt(key: SigningKey, token: string, nowSeconds = Math.floor(Date.now() / 1000)): JwtVerification {
  let remembered = verifiedTokens.get(key);
  const known = remembered?.get(token);
  if (known) {
    if (typeof known.payload.exp !== 'number' || known.payload.exp <= nowSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, ...known };
  }
  const result = verifySignature(key, token, nowSeconds);
  if (result.ok) {
    if (!remembered) verifiedTokens.set(key, (remembered = new Map()));
    if (remembered.size >= maxRemembered) remembered.delete(remembered.keys().next().value as string);
    remembered.set(token, { header: result.header, payload: result.payload });
  }
  return result;
}

function verifySignature(key: SigningKey, token: string, nowSeconds: number): JwtVerification {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = parseSegment(headerPart);
  const payload = parseSegment(payloadPart);
  if (!header || !payload || header.alg !== 'RS256') return { ok: false, reason: 'malformed' };
  const valid = verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key.publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!valid) return { ok: false, reason: 'signature' };
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, header, payload };
}

/** The key set in the shape XSUAA's `/token_keys` publishes (JWK fields plus the PEM in `value`). */
export function keySet(key: SigningKey): { keys: Record<string, unknown>[] } {
  const jwk = key.publicKey.export({ format: 'jwk' });
  const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { keys: [{ kty: 'RSA', e: jwk.e, n: jwk.n, use: 'sig', kid: key.kid, alg: 'RS256', value: pem }] };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
