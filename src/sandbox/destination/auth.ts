import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../http/respond';
import { verifyJwt, type SigningKey } from '../base/jwt';
import type { ClientRecord, Tenant, World } from '../base/world';

/** Who calls the Destination service: the tenant of the token, the service instance of its client. */
export interface Caller {
  readonly tenant: Tenant;
  readonly client: ClientRecord;
  readonly instanceId: string;
  readonly token: string;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The token carries a user (jwt-bearer exchanged), not only the client. */
  readonly isUser: boolean;
}

export type Authentication = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

/**
 * Bearer tokens of the sandbox token service only: 401 when missing, malformed, badly signed or expired;
 * 403 when valid but issued to a client that is not bound to a Destination service instance.
 */
export function authenticate(req: IncomingMessage, world: World, key: SigningKey): Authentication {
  const token = bearerToken(req);
  if (!token) return { ok: false, status: 401, message: 'Unauthorized: a Bearer token is required' };
  const verified = verifyJwt(key, token);
  if (!verified.ok) return { ok: false, status: 401, message: `Unauthorized: the token is ${verified.reason === 'expired' ? 'expired' : 'invalid'}` };
  const claims = verified.payload;
  const client = world.client(String(claims.cid ?? claims.client_id ?? ''));
  const tenant = world.tenantById(String(claims.zid ?? ''));
  if (!client || !tenant) return { ok: false, status: 401, message: 'Unauthorized: the token names an unknown client or tenant' };
  if (client.kind !== 'destination' || !client.instanceId) {
    return { ok: false, status: 403, message: `Forbidden: client ${client.clientId} has no access to the Destination service` };
  }
  return { ok: true, caller: { tenant, client, instanceId: client.instanceId, token, claims, isUser: typeof claims.user_name === 'string' } };
}
