import type { ClientAuth } from '../bindings/types';
import { BtpError, ErrorCode } from '../errors';
import type { HttpAgents } from '../http/agents';
import { headerValue, safeOrigin, sendRequest } from '../http/request';

export const GrantType = {
  ClientCredentials: 'client_credentials',
  Password: 'password',
  RefreshToken: 'refresh_token',
  JwtBearer: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  AuthorizationCode: 'authorization_code',
  Saml2Bearer: 'urn:ietf:params:oauth:grant-type:saml2-bearer',
  TokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
} as const;

export type TokenGrant =
  | { readonly type: 'client_credentials' }
  | { readonly type: 'password'; readonly username: string; readonly password: string }
  | { readonly type: 'refresh_token'; readonly refreshToken: string }
  | { readonly type: 'jwt_bearer'; readonly assertion: string }
  | { readonly type: 'authorization_code'; readonly code: string; readonly redirectUri?: string | undefined; readonly codeVerifier?: string | undefined }
  | { readonly type: 'saml2_bearer'; readonly assertion: string }
  | {
      readonly type: 'token_exchange';
      readonly subjectToken: string;
      readonly subjectTokenType: string;
      readonly actorToken?: string;
      readonly actorTokenType?: string;
    };

/** An OAuth client at one token endpoint. */
export interface TokenClient {
  /** The full token endpoint URL, e.g. `https://sub.authentication.eu10.hana.ondemand.com/oauth/token`. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly auth: ClientAuth;
  /** XSUAA takes client credentials in the body (what xssec sends); some servers want HTTP Basic. */
  readonly clientAuthentication?: 'body' | 'basic';
  /** Extra request headers, e.g. `x-zid`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra form parameters, e.g. `scope` or a destination's `tokenService.body.*`. */
  readonly extraParameters?: Readonly<Record<string, string>>;
}

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: string;
  /** Seconds of validity the server granted. */
  readonly expiresIn: number;
  /** Epoch milliseconds after which the token must not be used. */
  readonly expiresAt: number;
  readonly scope?: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  readonly issuedTokenType?: string;
}

export interface TokenRequestContext {
  readonly agents: HttpAgents;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

/** Performs one token request (no caching: see `TokenCache`). */
export async function requestToken(client: TokenClient, grant: TokenGrant, context: TokenRequestContext): Promise<AccessToken> {
  const form = new URLSearchParams();
  form.set('grant_type', grantTypeOf[grant.type]);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    ...client.headers,
  };
  const auth = client.auth;
  if (auth.kind === 'secret' && client.clientAuthentication === 'basic') {
    // Raw `id:secret` as curl -u sends it: UAA does not form-decode Basic credentials, and XSUAA client ids
    // contain `!` and `|` that RFC 6749's encoding would change.
    headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${auth.clientSecret}`).toString('base64')}`;
  } else {
    form.set('client_id', client.clientId);
    // With X.509 credentials the TLS client certificate authenticates; only the id goes in the body.
    if (auth.kind === 'secret') form.set('client_secret', auth.clientSecret);
  }
  appendGrantParameters(form, grant);
  for (const [name, value] of Object.entries(client.extraParameters ?? {})) form.set(name, value);

  const dispatcher = auth.kind === 'x509' ? context.agents.withClientCertificate(auth.certificate, auth.key) : context.agents.default;
  const started = (context.now ?? Date.now)();
  const response = await sendRequest(
    { method: 'POST', url: client.tokenUrl, headers, body: form.toString() },
    { dispatcher, service: 'The token service', signal: context.signal },
  );
  return parseTokenResponse(client, response.status, response.text, headerValue(response.headers, 'content-type'), started);
}

/** The `grant_type` each grant sends (a table: a new grant does not compile without its value). */
const grantTypeOf: Readonly<Record<TokenGrant['type'], string>> = {
  client_credentials: GrantType.ClientCredentials,
  password: GrantType.Password,
  refresh_token: GrantType.RefreshToken,
  jwt_bearer: GrantType.JwtBearer,
  authorization_code: GrantType.AuthorizationCode,
  saml2_bearer: GrantType.Saml2Bearer,
  token_exchange: GrantType.TokenExchange,
};

function appendGrantParameters(form: URLSearchParams, grant: TokenGrant): void {
  switch (grant.type) {
    case 'client_credentials':
      return;
    case 'password':
      form.set('username', grant.username);
      form.set('password', grant.password);
      return;
    case 'refresh_token':
      form.set('refresh_token', grant.refreshToken);
      return;
    case 'jwt_bearer':
    case 'saml2_bearer':
      form.set('assertion', grant.assertion);
      return;
    case 'authorization_code':
      form.set('code', grant.code);
      if (grant.redirectUri) form.set('redirect_uri', grant.redirectUri);
      if (grant.codeVerifier) form.set('code_verifier', grant.codeVerifier);
      return;
    case 'token_exchange':
      form.set('subject_token', grant.subjectToken);
      form.set('subject_token_type', grant.subjectTokenType);
      if (grant.actorToken) form.set('actor_token', grant.actorToken);
      if (grant.actorTokenType) form.set('actor_token_type', grant.actorTokenType);
      return;
  }
}

function parseTokenResponse(client: TokenClient, status: number, text: string, contentType: string | undefined, started: number): AccessToken {
  const origin = safeOrigin(client.tokenUrl);
  const body = parseJsonObject(text);
  if (status < 200 || status > 299) {
    const error = typeof body?.error === 'string' ? body.error : undefined;
    const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
    const serviceMessage = [error, description].filter(Boolean).join(': ') || text.slice(0, 300) || undefined;
    if (status === 400 || status === 401 || status === 403) {
      return rejectToken(client, origin, status, serviceMessage);
    }
    throw new BtpError(ErrorCode.TokenFailed, `The token service at ${origin} answered ${status}${serviceMessage ? ` (${serviceMessage})` : ''}.`, {
      status,
      serviceMessage,
    });
  }
  const accessToken = body?.access_token;
  const expiresIn = Number(body?.expires_in);
  if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn)) {
    throw new BtpError(
      ErrorCode.TokenFailed,
      `The token service at ${origin} answered ${status} without "access_token" and a numeric "expires_in" (content type ${contentType ?? 'none'}); is the URL a token endpoint?`,
      { status },
    );
  }
  return {
    accessToken,
    tokenType: typeof body?.token_type === 'string' ? body.token_type : 'bearer',
    expiresIn,
    expiresAt: started + expiresIn * 1000,
    ...optionalString('scope', body?.scope),
    ...optionalString('refreshToken', body?.refresh_token),
    ...optionalString('idToken', body?.id_token),
    ...optionalString('issuedTokenType', body?.issued_token_type),
  };
}

function rejectToken(client: TokenClient, origin: string, status: number, serviceMessage: string | undefined): never {
  const fix =
    client.auth.kind === 'x509'
      ? 'Check that the certificate and key of the service key belong to this client and have not expired.'
      : 'Check "clientid" and "clientsecret": a deleted and re-created service key has new credentials.';
  throw new BtpError(
    ErrorCode.TokenRejected,
    `The token service at ${origin} rejected client "${client.clientId}" (${status}${serviceMessage ? `, ${serviceMessage}` : ''}). ${fix}`,
    { status, serviceMessage },
  );
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function optionalString<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value !== '' ? ({ [key]: value } as Record<K, string>) : {};
}
