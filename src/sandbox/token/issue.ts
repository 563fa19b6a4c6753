import { randomBytes, randomUUID } from 'node:crypto';
import { signJwt, type SigningKey } from '../base/jwt';
import type { ClientRecord, Tenant, UserRecord } from '../base/world';

/** The user a token is about: a sandbox user, or the user claims carried over from an assertion. */
export interface TokenUser {
  readonly userName: string;
  readonly userId: string;
  readonly email?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly origin: string;
}

export function tokenUserOf(user: UserRecord): TokenUser {
  return { userName: user.userName, userId: user.userId, email: user.email, givenName: user.givenName, familyName: user.familyName, origin: user.origin };
}

export interface IssueRequest {
  readonly client: ClientRecord;
  readonly tenant: Tenant;
  readonly grantType: string;
  readonly user?: TokenUser | undefined;
  readonly lifetimeSeconds: number;
  readonly issueRefreshToken?: boolean;
}

export interface IssuedToken {
  readonly body: Record<string, unknown>;
  readonly refreshToken?: string;
}

/**
 * Mints an XSUAA-shaped access token with the claims SAP clients read (spec §2.4): `zid`, `iss` on the
 * tenant's subdomain, `ext_attr` with `enhancer: "XSUAA"` and `zdn`, `cid`/`client_id`/`azp`, `aud`, `scope`.
 */
export function issueToken(key: SigningKey, uaaDomain: string, request: IssueRequest): IssuedToken {
  const { client, tenant, user } = request;
  const now = Math.floor(Date.now() / 1000);
  const jti = randomUUID().replace(/-/g, '');
  const audiences = [...new Set([...client.scopes.map((scope) => scope.split('.')[0] ?? scope), client.clientId])].filter((audience) => audience !== 'openid');
  const payload: Record<string, unknown> = {
    jti,
    ext_attr: {
      enhancer: 'XSUAA',
      subaccountid: tenant.id,
      zdn: tenant.subdomain,
      ...(client.instanceId ? { serviceinstanceid: client.instanceId } : {}),
    },
    ...(user
      ? {
          user_uuid: user.userId,
          user_id: user.userId,
          user_name: user.userName,
          origin: user.origin,
          ...(user.email ? { email: user.email } : {}),
          ...(user.givenName ? { given_name: user.givenName } : {}),
          ...(user.familyName ? { family_name: user.familyName } : {}),
          auth_time: now,
        }
      : {}),
    sub: user ? user.userId : client.clientId,
    scope: [...client.scopes],
    client_id: client.clientId,
    cid: client.clientId,
    azp: client.clientId,
    grant_type: request.grantType,
    rev_sig: randomBytes(4).toString('hex'),
    iat: now,
    exp: now + request.lifetimeSeconds,
    iss: `https://${tenant.subdomain}.${uaaDomain}/oauth/token`,
    zid: tenant.id,
    aud: audiences,
  };
  const accessToken = signJwt(key, payload, { jku: `https://${uaaDomain}/token_keys`, zid: tenant.id });
  const refreshToken = request.issueRefreshToken ? `${randomBytes(24).toString('hex')}-r` : undefined;
  return {
    body: {
      access_token: accessToken,
      token_type: 'bearer',
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(user ? { id_token: signJwt(key, { ...payload, aud: [client.clientId], scope: undefined }) } : {}),
      expires_in: request.lifetimeSeconds,
      scope: client.scopes.join(' '),
      jti,
    },
    ...(refreshToken ? { refreshToken } : {}),
  };
}
