import { verifyJwt, type SigningKey } from '../base/jwt';
import type { Tenant, World } from '../base/world';
import type { PropagatedUser } from '../tunnel/tunnelProtocol';

/** Upper bound on any token the proxy verifies (spec: JWT ≤ 64 KiB). */
export const maxTokenBytes = 64 * 1024;

/** Who calls the connectivity proxy: the subaccount of the token and, for user exchange tokens, the user. */
export interface ConnectivityCaller {
  readonly tenant: Tenant;
  readonly clientId: string;
  /** Set when the connectivity token itself carries a user (jwt-bearer exchanged token). */
  readonly user?: PropagatedUser;
}

/**
 * `invalid`: not a token of this sandbox (malformed, bad signature, expired). `forbidden`: a valid token, but not
 * one the connectivity service accepts (another client's token, unknown tenant).
 */
export type CallerCheck =
  { readonly ok: true; readonly caller: ConnectivityCaller } | { readonly ok: false; readonly failure: 'invalid' | 'forbidden'; readonly message: string };

/** Verifies a connectivity token: signed by the sandbox key, unexpired, issued to a `connectivity` client. */
export function verifyConnectivityToken(world: World, key: SigningKey, token: string): CallerCheck {
  if (token === '' || token.length > maxTokenBytes) return { ok: false, failure: 'invalid', message: 'The connectivity token is missing or too large' };
  const verified = verifyJwt(key, token);
  if (!verified.ok) return { ok: false, failure: 'invalid', message: `The connectivity token is ${verified.reason === 'expired' ? 'expired' : 'invalid'}` };
  const claims = verified.payload;
  const clientId = String(claims.cid ?? claims.client_id ?? '');
  const client = world.client(clientId);
  const tenant = world.tenantById(String(claims.zid ?? ''));
  if (!client || client.kind !== 'connectivity' || !tenant) {
    return { ok: false, failure: 'forbidden', message: `The token of client ${clientId || '(none)'} is not a token of the Connectivity service` };
  }
  const user = userOf(claims, tenant.id);
  return { ok: true, caller: { tenant, clientId, ...(user ? { user } : {}) } };
}

/** Verifies a user token (`SAP-Connectivity-Authentication`): any sandbox-signed token with a user of the same subaccount. */
export function verifyUserToken(key: SigningKey, token: string, tenantId: string): { ok: true; user: PropagatedUser } | { ok: false; message: string } {
  if (token === '' || token.length > maxTokenBytes) return { ok: false, message: 'The user token is missing or too large' };
  const verified = verifyJwt(key, token);
  if (!verified.ok)
    return { ok: false, message: `The user token in SAP-Connectivity-Authentication is ${verified.reason === 'expired' ? 'expired' : 'invalid'}` };
  const user = userOf(verified.payload, String(verified.payload.zid ?? ''));
  if (!user) return { ok: false, message: 'The token in SAP-Connectivity-Authentication carries no user' };
  if (user.tenantId !== tenantId) return { ok: false, message: 'The user token belongs to another subaccount than the connectivity token' };
  return { ok: true, user };
}

function userOf(claims: Record<string, unknown>, tenantId: string): PropagatedUser | undefined {
  if (typeof claims.user_name !== 'string' || claims.user_name === '') return undefined;
  return { userName: claims.user_name, tenantId, ...(typeof claims.email === 'string' ? { email: claims.email } : {}) };
}

/** `Bearer <token>` → token; anything else → undefined. */
export function bearerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(text ?? '');
  return match?.[1];
}
