import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GrantType } from '../../core/oauth/tokenRequest';
import { verifyJwt, type SigningKey } from '../base/jwt';
import { verifyAssertion } from '../base/saml';
import type { ClientRecord, Tenant, World } from '../base/world';
import { oauth2ConfigurationOf } from './clientConfig';
import { issueToken, tokenUserOf, type TokenUser } from './issue';

/** An OAuth error answer: status plus the `{error, error_description}` body UAA sends. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

interface StoredGrant {
  readonly clientId: string;
  readonly tenantId: string;
  readonly user: TokenUser;
  readonly redirectUri?: string | undefined;
  readonly codeChallenge?: string;
}

export interface GrantContext {
  readonly world: World;
  readonly key: SigningKey;
  readonly uaaDomain: string;
  readonly lifetimeSeconds: number;
}

/**
 * The grants of the sandbox token service (spec §2.2). Refresh tokens and authorization codes live in memory:
 * a restarted sandbox forgets them, as a real XSUAA forgets revoked ones.
 */
export class Grants {
  private readonly refreshTokens = new Map<string, StoredGrant>();
  private readonly authorizationCodes = new Map<string, StoredGrant & { expiresAt: number }>();

  constructor(private readonly context: GrantContext) {}

  /** Stores a one-time authorization code for a user who signed in (the login page of the sandbox). */
  createAuthorizationCode(grant: StoredGrant): string {
    const code = randomBytes(16).toString('hex');
    this.authorizationCodes.set(code, { ...grant, expiresAt: Date.now() + 5 * 60_000 });
    return code;
  }

  handle(client: ClientRecord, tenant: Tenant, form: URLSearchParams): Record<string, unknown> {
    const grantType = form.get('grant_type') ?? '';
    if (grantType === '') throw new OAuthError(400, 'invalid_request', 'Missing grant type');
    if (!supportedGrantTypes.has(grantType)) throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    // UAA's AbstractTokenGranter.validateGrantType: a grant the client is not registered for is a client error.
    if (!oauth2ConfigurationOf(client).grantTypes.includes(grantType)) throw new OAuthError(401, 'invalid_client', 'Unauthorized grant type');
    switch (grantType) {
      case GrantType.ClientCredentials:
        return this.issue(client, tenant, grantType);
      case GrantType.Password:
        return this.password(client, tenant, form);
      case GrantType.RefreshToken:
        return this.refresh(client, form);
      case GrantType.JwtBearer:
        return this.userAssertion(client, grantType, required(form, 'assertion'));
      case GrantType.TokenExchange:
        // RFC 8693 §2.1: subject_token_type is required; the sandbox's subject tokens are JWT access tokens.
        if (!subjectTokenTypes.has(required(form, 'subject_token_type'))) {
          throw new OAuthError(400, 'invalid_request', `Unsupported subject_token_type: ${form.get('subject_token_type')}`);
        }
        return {
          ...this.userAssertion(client, grantType, required(form, 'subject_token')),
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        };
      case GrantType.Saml2Bearer:
        return this.saml(client, required(form, 'assertion'));
      case GrantType.AuthorizationCode:
        return this.authorizationCode(client, form);
      default:
        throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    }
  }

  private issue(client: ClientRecord, tenant: Tenant, grantType: string, user?: TokenUser): Record<string, unknown> {
    const issued = issueToken(this.context.key, this.context.uaaDomain, {
      client,
      tenant,
      grantType,
      user,
      lifetimeSeconds: this.context.lifetimeSeconds,
      issueRefreshToken: user !== undefined,
    });
    if (issued.refreshToken && user) {
      this.refreshTokens.set(issued.refreshToken, { clientId: client.clientId, tenantId: tenant.id, user });
    }
    return issued.body;
  }

  private password(client: ClientRecord, tenant: Tenant, form: URLSearchParams): Record<string, unknown> {
    const user = this.context.world.user(tenant.id, required(form, 'username'));
    if (!user || !sameSecret(user.password, required(form, 'password'))) {
      throw new OAuthError(401, 'unauthorized', 'Bad credentials');
    }
    return this.issue(client, tenant, GrantType.Password, tokenUserOf(user));
  }

  private refresh(client: ClientRecord, form: URLSearchParams): Record<string, unknown> {
    const stored = this.refreshTokens.get(required(form, 'refresh_token'));
    if (!stored || stored.clientId !== client.clientId) {
      throw new OAuthError(401, 'invalid_token', 'Invalid refresh token (expired or not issued to this client)');
    }
    return this.issue(client, this.tenant(stored.tenantId), GrantType.RefreshToken, stored.user);
  }

  private userAssertion(client: ClientRecord, grantType: string, assertion: string): Record<string, unknown> {
    const verified = verifyJwt(this.context.key, assertion);
    if (!verified.ok) throw new OAuthError(401, 'invalid_token', `The assertion is not a valid token of this sandbox (${verified.reason})`);
    const claims = verified.payload;
    if (typeof claims.user_name !== 'string' || typeof claims.zid !== 'string') {
      throw new OAuthError(400, 'invalid_grant', 'The assertion carries no user (user_name and zid are needed)');
    }
    const user: TokenUser = {
      userName: claims.user_name,
      userId: typeof claims.user_id === 'string' ? claims.user_id : claims.user_name,
      origin: typeof claims.origin === 'string' ? claims.origin : 'sap.default',
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      ...(typeof claims.given_name === 'string' ? { givenName: claims.given_name } : {}),
      ...(typeof claims.family_name === 'string' ? { familyName: claims.family_name } : {}),
    };
    return this.issue(client, this.tenant(claims.zid), grantType, user);
  }

  private saml(client: ClientRecord, assertion: string): Record<string, unknown> {
    const verified = verifyAssertion(this.context.key, assertion);
    if (!verified.ok) throw new OAuthError(401, 'invalid_token', `The SAML assertion is not valid: ${verified.reason}`);
    const { nameId, tenantId, email } = verified.subject;
    const known = this.context.world.user(tenantId, nameId);
    const user: TokenUser = known ? tokenUserOf(known) : { userName: nameId, userId: nameId, origin: 'sap.default', ...(email ? { email } : {}) };
    return this.issue(client, this.tenant(tenantId), GrantType.Saml2Bearer, user);
  }

  private authorizationCode(client: ClientRecord, form: URLSearchParams): Record<string, unknown> {
    const code = required(form, 'code');
    const stored = this.authorizationCodes.get(code);
    this.authorizationCodes.delete(code);
    if (!stored || stored.clientId !== client.clientId || stored.expiresAt < Date.now()) {
      throw new OAuthError(400, 'invalid_grant', 'Invalid authorization code');
    }
    if (stored.redirectUri !== undefined && stored.redirectUri !== form.get('redirect_uri')) {
      throw new OAuthError(400, 'invalid_grant', 'Redirect URI mismatch');
    }
    if (stored.codeChallenge !== undefined && !pkceMatches(stored.codeChallenge, form.get('code_verifier'))) {
      throw new OAuthError(400, 'invalid_grant', 'PKCE verification failed');
    }
    return this.issue(client, this.tenant(stored.tenantId), GrantType.AuthorizationCode, stored.user);
  }

  private tenant(id: string): Tenant {
    const tenant = this.context.world.tenantById(id);
    if (!tenant) throw new OAuthError(400, 'invalid_grant', `Unknown identity zone ${id}`);
    return tenant;
  }
}

const supportedGrantTypes: ReadonlySet<string> = new Set(Object.values(GrantType));
const subjectTokenTypes: ReadonlySet<string> = new Set(['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt']);

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new OAuthError(400, 'invalid_request', `Missing parameter: ${name}`);
  return value;
}

export function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function pkceMatches(challenge: string, verifier: string | null): boolean {
  if (!verifier) return false;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}
