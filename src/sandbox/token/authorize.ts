import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GrantType } from '../../core/oauth/tokenRequest';
import { header, readBody, sendJson } from '../http/respond';
import { verifyJwt, type SigningKey } from '../base/jwt';
import type { ClientRecord, Tenant, World } from '../base/world';
import { matchRedirectUri, oauth2ConfigurationOf } from './clientConfig';
import { sameSecret, type Grants } from './grants';
import { tokenUserOf } from './issue';

/**
 * `GET /oauth/authorize` and its login form: the authorization code flow with PKCE as XSUAA runs it for tools
 * that sign a user in through the browser. As in UAA, the redirect URI must match one the client registered
 * (`redirect-uris`) and the client must have the `authorization_code` grant; otherwise an error page (400) is
 * shown and nothing goes to the redirect URI. The validated request is kept here under a random form id, so the
 * page carries nothing that could be tampered with but that id; PKCE (S256) is required.
 */

export interface AuthorizeContext {
  readonly world: World;
  readonly grants: Grants;
  /** Verifies the user's bearer token of a non-browser authorization request. */
  readonly key: SigningKey;
  /** The tenant of a browser request: its host's subdomain, else the client's home tenant. */
  readonly tenantOf: (req: IncomingMessage, client: ClientRecord) => Tenant;
}

interface PendingLogin {
  readonly clientId: string;
  readonly tenantId: string;
  readonly redirectUri: URL;
  readonly state: string | undefined;
  readonly codeChallenge: string;
  readonly expiresAt: number;
  failures: number;
}

/** A browser that opened the page has this long to submit it; wrong passwords allowed per form. */
const formLifetimeMs = 10 * 60_000;
const maxFailures = 5;
const maxPending = 1_000;
const challengePattern = /^[A-Za-z0-9_-]{43,128}$/;
const clientHint =
  "A browser sign-in needs the client of an xsuaa service key whose redirect-uris list this address; the Destination and Connectivity service instances' clients register none. In this sandbox: service-keys/xsuaa.json (redirect-uris http://localhost:*/**).";

export class AuthorizeEndpoint {
  private readonly pending = new Map<string, PendingLogin>();

  constructor(private readonly context: AuthorizeContext) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') return this.show(req, res);
    if (req.method === 'POST') return this.submit(req, res);
    res.setHeader('allow', 'GET, POST');
    return sendPage(res, 405, errorPage('Method not allowed', 'Open the sign-in link from the application again.'));
  }

  private show(req: IncomingMessage, res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://sandbox').searchParams;
    // Client and redirect URI are checked first: until both are known good nothing may go to the redirect URI.
    const client = this.context.world.client(query.get('client_id') ?? '');
    if (!client) return sendPage(res, 400, errorPage('Unknown client', 'The client_id of the sign-in link is no client of this sandbox.'));
    const configuration = oauth2ConfigurationOf(client);
    const requested = query.get('redirect_uri');
    const redirectUri = matchRedirectUri(configuration, requested);
    if (!redirectUri) {
      // UAA's text (UaaAuthorizationEndpoint); XSUAA's page may say "The redirect_uri has an invalid domain".
      return sendPage(
        res,
        400,
        errorPage('Invalid redirect', `Invalid redirect ${(requested ?? '(none)').slice(0, 200)} did not match one of the registered values. ${clientHint}`),
      );
    }
    if (!configuration.grantTypes.includes(GrantType.AuthorizationCode)) {
      return sendPage(res, 400, errorPage('Invalid grant', `A redirect_uri can only be used by implicit or authorization_code grant types. ${clientHint}`));
    }
    const state = query.get('state') ?? undefined;
    if (query.get('response_type') !== 'code')
      return redirectError(res, redirectUri, state, 'unsupported_response_type', 'Only response_type=code is supported');
    const challenge = query.get('code_challenge') ?? '';
    if (!challengePattern.test(challenge) || query.get('code_challenge_method') !== 'S256') {
      return redirectError(res, redirectUri, state, 'invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    if (bearer) return this.withToken(res, bearer, client, redirectUri, state, challenge);
    this.sweep();
    const formId = randomBytes(24).toString('base64url');
    const tenant = this.context.tenantOf(req, client);
    // A plain user name prefills the form; XSUAA's JSON form (`{"origin":"…"}`) names an IdP the sandbox lacks.
    const hint = query.get('login_hint') ?? '';
    const login: PendingLogin = {
      clientId: client.clientId,
      tenantId: tenant.id,
      redirectUri,
      state,
      codeChallenge: challenge,
      expiresAt: Date.now() + formLifetimeMs,
      failures: 0,
    };
    this.pending.set(formId, login);
    sendPage(res, 200, loginPage(formId, client, tenant, login, /^[A-Za-z0-9._@-]{1,64}$/.test(hint) ? hint : ''), redirectUri);
  }

  /**
   * UAA's non-browser authorization code flow (UAA 2.6.2): the user is the one of the bearer token, no login form;
   * an invalid or expired token is 401 as at any UAA endpoint. PKCE and the redirect URI are checked as above.
   */
  private withToken(res: ServerResponse, token: string, client: ClientRecord, redirectUri: URL, state: string | undefined, challenge: string): void {
    const verified = verifyJwt(this.context.key, token);
    const claims = verified.ok ? verified.payload : undefined;
    const tenant = typeof claims?.zid === 'string' ? this.context.world.tenantById(claims.zid) : undefined;
    const user = tenant && typeof claims?.user_name === 'string' ? this.context.world.user(tenant.id, claims.user_name) : undefined;
    if (!tenant || !user) {
      const why = verified.ok ? 'the token names no user of this sandbox' : verified.reason;
      return sendJson(
        res,
        401,
        { error: 'invalid_token', error_description: `The bearer token is not a valid user token (${why})` },
        { 'cache-control': 'no-store' },
      );
    }
    const code = this.context.grants.createAuthorizationCode({
      clientId: client.clientId,
      tenantId: tenant.id,
      user: tokenUserOf(user),
      redirectUri: redirectUri.toString(),
      codeChallenge: challenge,
    });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    if (state !== undefined) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-length': 0 });
    res.end();
  }

  private async submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req, 16 * 1024));
    const formId = form.get('form_id') ?? '';
    const login = this.pending.get(formId);
    if (!login || login.expiresAt < Date.now()) {
      this.pending.delete(formId);
      return sendPage(res, 400, errorPage('Sign-in expired', 'This sign-in form is no longer valid. Start the sign-in from the application again.'));
    }
    const tenant = this.context.world.tenantById(login.tenantId);
    const client = this.context.world.client(login.clientId);
    const userName = form.get('username') ?? '';
    const user = tenant ? this.context.world.user(tenant.id, userName) : undefined;
    if (!tenant || !client || !user || !sameSecret(user.password, form.get('password') ?? '')) {
      login.failures++;
      if (login.failures >= maxFailures) {
        this.pending.delete(formId);
        return redirectError(res, login.redirectUri, login.state, 'access_denied', 'Too many failed sign-in attempts');
      }
      const page =
        tenant && client ? loginPage(formId, client, tenant, login, userName, 'Wrong user name or password.') : errorPage('Sign-in failed', 'Start again.');
      return sendPage(res, 200, page, login.redirectUri);
    }
    this.pending.delete(formId);
    const code = this.context.grants.createAuthorizationCode({
      clientId: login.clientId,
      tenantId: tenant.id,
      user: tokenUserOf(user),
      redirectUri: login.redirectUri.toString(),
      codeChallenge: login.codeChallenge,
    });
    const target = new URL(login.redirectUri);
    target.searchParams.set('code', code);
    if (login.state !== undefined) target.searchParams.set('state', login.state);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-length': 0 });
    res.end();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, login] of this.pending) if (login.expiresAt < now) this.pending.delete(id);
    while (this.pending.size >= maxPending) this.pending.delete(this.pending.keys().next().value as string);
  }
}

function redirectError(res: ServerResponse, redirectUri: URL, state: string | undefined, error: string, description: string): void {
  const target = new URL(redirectUri);
  target.searchParams.set('error', error);
  target.searchParams.set('error_description', description);
  if (state !== undefined) target.searchParams.set('state', state);
  res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

interface Page {
  readonly title: string;
  readonly body: string;
  readonly nonce: string;
}

function loginPage(formId: string, client: ClientRecord, tenant: Tenant, login: PendingLogin, userName: string, error?: string): Page {
  const nonce = randomBytes(16).toString('base64');
  const app = client.instanceName ?? client.xsappname;
  const body = `<main>
<h1>Sign in to ${escapeHtml(tenant.name)}</h1>
<p class="note">BTP Connect sandbox · subdomain <b>${escapeHtml(tenant.subdomain)}</b> · for <b>${escapeHtml(app)}</b></p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oauth/authorize" autocomplete="off">
<input type="hidden" name="form_id" value="${escapeHtml(formId)}">
<label>User <input name="username" value="${escapeHtml(userName)}" autocapitalize="none" required autofocus></label>
<label>Password <input name="password" type="password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="note">You will return to ${escapeHtml(login.redirectUri.origin)}. The passwords are in the sandbox's users.json.</p>
</main>`;
  return { title: 'Sign in · BTP Connect sandbox', body, nonce };
}

function errorPage(title: string, text: string): Page {
  return { title, body: `<main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main>`, nonce: randomBytes(16).toString('base64') };
}

const style = `body{font:15px system-ui,sans-serif;margin:0;background:#f5f6f7;color:#1d2d3e}
main{max-width:24rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 .5rem}label{display:block;margin:.8rem 0}input{display:block;width:100%;box-sizing:border-box;padding:.4rem;margin-top:.2rem}
button{margin-top:1rem;padding:.5rem 1.2rem}.note{color:#556b82;font-size:.85rem}.error{color:#aa0808}`;

/**
 * A strict CSP: nothing loads, scripts never run, the style has a nonce, the form posts only here and (Chrome
 * checks the redirect after a submit too) to the redirect URI's origin; no framing, no referrer.
 */
function sendPage(res: ServerResponse, status: number, page: Page, redirectUri?: URL): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(page.title)}</title><style nonce="${page.nonce}">${style}</style></head><body>${page.body}</body></html>`;
  const formAction = redirectUri ? `'self' ${redirectUri.origin}` : `'self'`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': `default-src 'none'; style-src 'nonce-${page.nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(html);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
