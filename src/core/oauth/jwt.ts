/**
 * Reading (not verifying) JWT claims on the client side: expiry, tenant (`zid`) and user. Verification is the
 * business of the services that accept the token.
 */
export type JwtClaims = Readonly<Record<string, unknown>>;

export function decodeJwt(token: string): { header: JwtClaims; payload: JwtClaims } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeSegment(parts[0] ?? '');
  const payload = decodeSegment(parts[1] ?? '');
  return header && payload ? { header, payload } : undefined;
}

function decodeSegment(segment: string): JwtClaims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

export function claimString(claims: JwtClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The tenant of a token the way the SAP Cloud SDK reads it: `zid`, else `app_tid`, else `zone_uuid`. */
export function tenantOf(claims: JwtClaims): string | undefined {
  return claimString(claims, 'zid') ?? claimString(claims, 'app_tid') ?? claimString(claims, 'zone_uuid');
}
