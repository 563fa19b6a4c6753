import { isBtpError } from '../../core/errors';
import type { AuthTokenEntry as AuthToken, FindOptions } from '../../core/destinationService/types';
import type { AccessToken, TokenClient, TokenGrant } from '../../core/oauth/tokenRequest';
import { buildAssertion } from '../base/saml';
import type { SigningKey } from '../base/jwt';

/** The user a user-based flow acts for: the raw token and its verified claims. */
export interface CallerUser {
  readonly token: string;
  readonly userName: string;
  readonly tenantId: string;
  readonly email?: string;
}

/** What a find-destination request brings for token flows: the headers the client sends (spec §3.2), read. */
export interface TokenInputs extends Pick<
  FindOptions,
  'refreshToken' | 'code' | 'redirectUri' | 'codeVerifier' | 'subjectToken' | 'subjectTokenType' | 'actorToken' | 'actorTokenType'
> {
  readonly user?: CallerUser | undefined;
  /** Set when `X-user-token` was sent but is not a valid user token of this sandbox. */
  readonly userTokenError?: string | undefined;
  readonly tenantSubdomain?: string | undefined;
}

export interface AuthTokenDeps {
  readonly fetchToken: (client: TokenClient, grant: TokenGrant) => Promise<AccessToken>;
  readonly key: SigningKey;
}

class TokenRetrievalError extends Error {}

/**
 * Computes `authTokens` for a destination the way the Destination service does: Basic from User/Password,
 * OAuth flows by a real token request to the destination's `tokenServiceURL`, SAML assertions from the
 * sandbox's own issuer. Failures become an entry with `error` and an HTTP 200 answer, as in the real service.
 * Deliberate relaxation: token services on loopback are allowed (the real service refuses private endpoints).
 */
export async function computeAuthTokens(dest: Readonly<Record<string, string>>, inputs: TokenInputs, deps: AuthTokenDeps): Promise<AuthToken[] | undefined> {
  const authentication = dest.Authentication ?? 'NoAuthentication';
  try {
    switch (authentication) {
      case 'BasicAuthentication': {
        const value = Buffer.from(`${dest.User ?? ''}:${dest.Password ?? ''}`).toString('base64');
        return [{ type: 'Basic', value, http_header: { key: 'Authorization', value: `Basic ${value}` } }];
      }
      case 'OAuth2ClientCredentials':
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs), { type: 'client_credentials' }))];
      case 'OAuth2TechnicalUserPropagation': {
        const token = await deps.fetchToken(oauthClient(dest, inputs), { type: 'client_credentials' });
        const key = dest.ProxyType === 'OnPremise' ? 'SAP-Connectivity-Technical-Authentication' : 'Authorization';
        return [bearer(token, key)];
      }
      case 'OAuth2Password':
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs), { type: 'password', username: dest.User ?? '', password: dest.Password ?? '' }))];
      case 'OAuth2UserTokenExchange':
      case 'OAuth2JWTBearer':
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs), { type: 'jwt_bearer', assertion: requireUser(inputs).token }))];
      case 'OAuth2RefreshToken': {
        if (!inputs.refreshToken) throw new TokenRetrievalError('The X-refresh-token header is required for OAuth2RefreshToken destinations');
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs), { type: 'refresh_token', refreshToken: inputs.refreshToken }))];
      }
      case 'OAuth2AuthorizationCode': {
        if (!inputs.code) throw new TokenRetrievalError('The X-code header is required for OAuth2AuthorizationCode destinations');
        const grant: TokenGrant = { type: 'authorization_code', code: inputs.code, redirectUri: inputs.redirectUri, codeVerifier: inputs.codeVerifier };
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs), grant))];
      }
      case 'OAuth2TokenExchange': {
        if (!inputs.subjectToken || !inputs.subjectTokenType) {
          throw new TokenRetrievalError('The X-subject-token and X-subject-token-type headers are required for OAuth2TokenExchange destinations');
        }
        const grant: TokenGrant = {
          type: 'token_exchange',
          subjectToken: inputs.subjectToken,
          subjectTokenType: inputs.subjectTokenType,
          ...(inputs.actorToken ? { actorToken: inputs.actorToken, actorTokenType: inputs.actorTokenType ?? '' } : {}),
        };
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs), grant))];
      }
      case 'SAMLAssertion': {
        const value = samlAssertion(dest, inputs, deps.key);
        return [{ type: 'SAML2.0', value, http_header: { key: 'Authorization', value: `SAML2.0 ${value}` } }];
      }
      case 'OAuth2SAMLBearerAssertion': {
        const assertion = samlAssertion(dest, inputs, deps.key);
        return [bearer(await deps.fetchToken(oauthClient(dest, inputs, dest.clientKey), { type: 'saml2_bearer', assertion }))];
      }
      case 'SAPAssertionSSO':
        throw new TokenRetrievalError('SAPAssertionSSO is deprecated and not emulated by the sandbox');
      default:
        return undefined;
    }
  } catch (error) {
    if (error instanceof TokenRetrievalError || isBtpError(error)) {
      return [{ type: '', value: '', error: `Retrieval of OAuth token failed: ${error.message}` }];
    }
    throw error;
  }
}

function bearer(token: AccessToken, key = 'Authorization'): AuthToken {
  return {
    type: 'Bearer',
    value: token.accessToken,
    http_header: { key, value: `Bearer ${token.accessToken}` },
    expires_in: String(token.expiresIn),
    ...(token.scope ? { scope: token.scope } : {}),
    ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
    ...(token.issuedTokenType ? { issued_token_type: token.issuedTokenType } : {}),
  };
}

function requireUser(inputs: TokenInputs): CallerUser {
  if (inputs.userTokenError) throw new TokenRetrievalError(inputs.userTokenError);
  if (!inputs.user) {
    throw new TokenRetrievalError('A user token is required: send it in X-user-token, or call with a token exchanged for the user');
  }
  return inputs.user;
}

function samlAssertion(dest: Readonly<Record<string, string>>, inputs: TokenInputs, key: SigningKey): string {
  const systemUser = dest.SystemUser;
  const user = systemUser ? undefined : requireUser(inputs);
  return buildAssertion(key, {
    nameId: systemUser ?? user?.userName ?? '',
    tenantId: user?.tenantId ?? '',
    audience: dest.audience ?? '',
    ...(user?.email ? { email: user.email } : {}),
  });
}

/** The OAuth client a destination describes, with `tokenServiceURLType: Common` resolved for `X-tenant`. */
function oauthClient(dest: Readonly<Record<string, string>>, inputs: TokenInputs, clientId = dest.clientId): TokenClient {
  if (!dest.tokenServiceURL) throw new TokenRetrievalError('The destination has no tokenServiceURL');
  if (!clientId) throw new TokenRetrievalError('The destination has no clientId');
  const common = dest.tokenServiceURLType === 'Common';
  if (!common && inputs.tenantSubdomain) {
    throw new TokenRetrievalError('X-tenant is not allowed for destinations whose tokenServiceURLType is Dedicated');
  }
  if (common && !inputs.tenantSubdomain) {
    throw new TokenRetrievalError('X-tenant is required for destinations whose tokenServiceURLType is Common');
  }
  const url = new URL(common ? tenantUrl(dest.tokenServiceURL, inputs.tenantSubdomain ?? '') : dest.tokenServiceURL);
  for (const [name, value] of prefixed(dest, 'tokenServiceURL.queries.')) url.searchParams.set(name, value);
  const headers: Record<string, string> = Object.fromEntries(prefixed(dest, 'tokenServiceURL.headers.'));
  if (dest.tokenServiceUser) {
    headers.authorization = `Basic ${Buffer.from(`${dest.tokenServiceUser}:${dest.tokenServicePassword ?? ''}`).toString('base64')}`;
  }
  const extraParameters: Record<string, string> = Object.fromEntries(prefixed(dest, 'tokenService.body.'));
  if (dest.scope) extraParameters.scope = dest.scope;
  const inBody = dest['tokenService.addClientCredentialsInBody'] !== 'false';
  return {
    tokenUrl: url.toString(),
    clientId,
    auth: { kind: 'secret', clientSecret: dest.clientSecret ?? '' },
    clientAuthentication: inBody || dest.tokenServiceUser ? 'body' : 'basic',
    headers,
    extraParameters,
  };
}

/** `{tenant}` placeholder replaced, else the subdomain put in front of the host (spec §4.2 "Common"). */
function tenantUrl(template: string, subdomain: string): string {
  if (template.includes('{tenant}')) return template.split('{tenant}').join(subdomain);
  const url = new URL(template);
  url.hostname = `${subdomain}.${url.hostname}`;
  return url.toString();
}

function prefixed(dest: Readonly<Record<string, string>>, prefix: string): [string, string][] {
  return Object.entries(dest)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, value]) => [name.slice(prefix.length), value]);
}
