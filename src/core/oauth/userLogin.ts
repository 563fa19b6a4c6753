import { stripTrailingSlashes } from '../bindings/fields';
import { tokenEndpoint, type TokenTenant } from '../bindings/tokenEndpoint';
import type { ServiceBinding } from '../bindings/types';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { HttpAgents } from '../http/agents';
import { silentLogger, type Logger } from '../log';
import { redactText } from '../redact';
import { LoopbackRedirect } from './loopbackRedirect';
import { createPkce, createState } from './pkce';
import { checkAuthorizationRequest, signInNotConfigured } from './signInClient';
import { requestToken, type AccessToken, type TokenClient } from './tokenRequest';

/**
 * Signing a user in through the browser: the OAuth authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636)
 * against the XSUAA of a binding, with the binding's own client: an xsuaa binding of the user's application, whose
 * `redirect-uris` admit the loopback address (see `signInClient`). The code comes back to a one-shot loopback
 * listener (RFC 8252); the exchange authenticates the client with its secret or its X.509 certificate, like every
 * other token request of the core.
 */

export interface UserLoginOptions {
  /** Whose client signs the user in: the connection's xsuaa (login) binding. */
  readonly binding: ServiceBinding;
  /** The saved connection signed in to, for the fix in error messages. */
  readonly connection?: string;
  readonly agents: HttpAgents;
  /** Shows the authorization URL to the user: a browser, `vscode.env.openExternal`, or a printed line. */
  readonly openBrowser: (url: string) => Promise<void> | void;
  /** Cancels the sign-in (the user closed the prompt, the command was stopped). */
  readonly signal?: AbortSignal;
  /** How long the user has to sign in; default 5 minutes. */
  readonly timeoutMs?: number;
  /** XSUAA `login_hint`, e.g. `{"origin":"my-idp"}` to skip the IdP choice; the sandbox takes a user name. */
  readonly loginHint?: string;
  /**
   * The redirect URI as the browser must see it, given the loopback one: VS Code remote maps it with
   * `env.asExternalUri`. The listener then also accepts that address's `Host`.
   */
  readonly externalRedirectUri?: (loopbackUri: string) => Promise<string>;
  /** Sign in to this subscriber tenant (its subdomain's XSUAA) instead of the binding's own subaccount. */
  readonly tenant?: TokenTenant;
  readonly logger?: Logger;
}

/**
 * The base of the authorization server: the binding's `url` (browsers cannot use the mTLS `certurl`); for a
 * subscriber tenant `https://<subdomain>.<uaadomain>`, as XSUAA serves each tenant on its own subdomain. A browser
 * cannot send `x-zid`, so a tenant known only by its id cannot be signed in to.
 */
export function authorizationEndpoint(binding: ServiceBinding, tenant: TokenTenant = {}): string {
  // The subdomain's form was checked where the tenant was chosen; the URL parser refuses anything that is no host.
  if (tenant.subdomain) return new URL(`https://${tenant.subdomain}.${binding.uaaDomain}/oauth/authorize`).toString();
  if (tenant.zid) {
    throw new BtpError(
      ErrorCode.InvalidInput,
      `A browser signs in to a subscriber tenant through its subdomain, and this connection names the tenant only by its id (${tenant.zid}). Act for the tenant by its subdomain to sign in.`,
      { field: 'tenant' },
    );
  }
  return `${stripTrailingSlashes(binding.url)}/oauth/authorize`;
}

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
  readonly loginHint?: string;
}

export function authorizationUrl(binding: ServiceBinding, request: AuthorizationRequest, tenant: TokenTenant = {}): string {
  const url = new URL(authorizationEndpoint(binding, tenant));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (request.loginHint) url.searchParams.set('login_hint', request.loginHint);
  return url.toString();
}

/**
 * The binding's client at its provider token endpoint (`<url>` or `<certurl>` for X.509), or at a subscriber
 * tenant's (`<subdomain>.<uaadomain>`): user grants go there.
 */
export function userTokenClient(binding: ServiceBinding, tenant: TokenTenant = {}): TokenClient {
  const endpoint = tokenEndpoint(binding, tenant);
  return {
    tokenUrl: endpoint.url,
    clientId: binding.clientId,
    auth: binding.auth,
    ...(Object.keys(endpoint.headers).length > 0 ? { headers: endpoint.headers } : {}),
  };
}

/** Runs the whole browser sign-in; resolves to the user's tokens (access, refresh when issued, id). */
export async function signInUser(options: UserLoginOptions): Promise<AccessToken> {
  const logger = options.logger ?? silentLogger;
  const pkce = createPkce();
  const state = createState();
  const listener = await LoopbackRedirect.listen({ state, ...optional('timeoutMs', options.timeoutMs), ...optional('signal', options.signal), logger });
  try {
    let redirectUri = listener.redirectUri;
    if (options.externalRedirectUri) {
      redirectUri = await options.externalRedirectUri(redirectUri);
      listener.allowHost(new URL(redirectUri).host);
    }
    const url = authorizationUrl(
      options.binding,
      {
        clientId: options.binding.clientId,
        redirectUri,
        state,
        codeChallenge: pkce.challenge,
        ...optional('loginHint', options.loginHint),
      },
      options.tenant,
    );
    await checkAuthorizationRequest(
      url,
      { clientId: options.binding.clientId, ...optional('connection', options.connection) },
      { agents: options.agents, ...optional('signal', options.signal) },
    );
    logger.debug(`sign-in: waiting for the browser on ${listener.redirectUri}`);
    await options.openBrowser(url);
    const { code } = await listener.result;
    try {
      return await requestToken(
        userTokenClient(options.binding, options.tenant),
        { type: 'authorization_code', code, redirectUri, codeVerifier: pkce.verifier },
        { agents: options.agents, ...optional('signal', options.signal) },
      );
    } catch (error) {
      if (!isBtpError(error, ErrorCode.TokenRejected)) throw error;
      // UAA answers a grant the client lacks with 401 invalid_client "Unauthorized grant type" (AbstractTokenGranter).
      if (/unauthorized grant type|unauthorized_client/i.test(error.serviceMessage ?? '')) {
        const detail = redactText(error.serviceMessage ?? '');
        throw signInNotConfigured(`The token service does not let client "${options.binding.clientId}" sign users in (${detail}).`, options.connection, {
          status: error.status ?? 401,
          serviceMessage: detail,
          cause: error,
        });
      }
      if (error.status !== 400) throw error;
      // 400 is the grant (code, redirect URI, verifier), not the client: say so instead of "check the client secret".
      const detail = redactText(error.serviceMessage ?? 'invalid_grant');
      throw new BtpError(ErrorCode.SignInFailed, `The token service refused the sign-in code (${detail}); sign in again.`, {
        status: 400,
        serviceMessage: detail,
        cause: error,
      });
    }
  } finally {
    await listener.close();
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
