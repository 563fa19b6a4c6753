import { BtpError, ErrorCode } from '../errors';
import type { HttpAgents } from '../http/agents';
import { headerValue, safeOrigin, sendRequest } from '../http/request';
import { createPkce, createState } from './pkce';
import { refusalText, SIGN_IN_REDIRECT_URI_PATTERN } from './signInClient';

/**
 * An authorization code for an `OAuth2AuthorizationCode` destination, from the signed-in user's session without a
 * browser: UAA's "non-browser authorization code flow" (UAA 2.6.2: `GET /oauth/authorize` authenticated with the
 * user's bearer token instead of the login session) for the destination's client, with PKCE. The code is read from
 * the redirect's `Location`, which is never followed: nothing listens on the redirect URI. A code is single-use
 * and short-lived, so every find-destination gets a fresh one. A token service that wants the browser instead (a
 * redirect to its login page, a form, a refusal) gets a coded refusal saying so: it is not worked around.
 */

/** Never opened: the code is taken from the redirect. It matches the sign-in pattern the README asks apps to register. */
export const SILENT_REDIRECT_URI = 'http://localhost:1/btp-connect/callback';

export interface SilentCode {
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}

export interface SilentAuthorizeRequest {
  /** The destination's token service (`tokenServiceURL`); its origin serves `/oauth/authorize`. */
  readonly tokenServiceUrl: string;
  /** The destination's `clientId`: the code is issued to it. */
  readonly clientId: string;
  readonly userToken: string;
  /** For the message. */
  readonly destination: string;
}

export async function silentAuthorizationCode(request: SilentAuthorizeRequest, agents: HttpAgents): Promise<SilentCode> {
  const pkce = createPkce();
  const url = new URL('/oauth/authorize', request.tokenServiceUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', SILENT_REDIRECT_URI);
  url.searchParams.set('state', createState());
  url.searchParams.set('code_challenge', pkce.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  const answer = await sendRequest(
    { method: 'GET', url: url.toString(), headers: { authorization: `Bearer ${request.userToken}`, accept: 'application/json' } },
    { dispatcher: agents.default, service: 'The token service', maxBodyBytes: 64 * 1024 },
  );
  const location = headerValue(answer.headers, 'location');
  let code: string | null = null;
  let error: string | null = null;
  if (answer.status >= 300 && answer.status < 400 && location) {
    const target = new URL(location, url);
    // Only a redirect to our redirect URI carries an answer; anything else (a login page) wants the browser.
    if (`${target.origin}${target.pathname}` === SILENT_REDIRECT_URI) {
      code = target.searchParams.get('code');
      error = target.searchParams.get('error_description') ?? target.searchParams.get('error');
    }
  }
  if (code) return { code, redirectUri: SILENT_REDIRECT_URI, codeVerifier: pkce.verifier };
  const said = error ?? (answer.status >= 400 ? refusalText(answer.text) : location ? 'it redirected to its login page' : `HTTP ${answer.status}`);
  const fix =
    `Client "${request.clientId}" needs the authorization_code grant and "${SIGN_IN_REDIRECT_URI_PATTERN}" in its redirect-uris. ` +
    'A token service that insists on a browser cannot serve a forward: use an OAuth2RefreshToken or OAuth2UserTokenExchange destination for the same system, or send X-Code (with X-Redirect-Uri and X-Code-Verifier) on each request yourself.';
  throw new BtpError(
    ErrorCode.UserFlowUnavailable,
    `Destination "${request.destination}" uses OAuth2AuthorizationCode, but its token service ${safeOrigin(url.toString())} issued no authorization code for the signed-in user without a browser (${said}). ${fix}`,
    { status: answer.status, serviceMessage: said, details: { destination: request.destination, authentication: 'OAuth2AuthorizationCode', fix } },
  );
}
