import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { XsuaaBinding } from '../../../src/core/bindings/types';
import { isBtpError, ErrorCode } from '../../../src/core/errors';
import { userSecretKey } from '../../../src/core/secrets/secretKeys';
import { createPkce, createState } from '../../../src/core/oauth/pkce';
import { authorizationUrl } from '../../../src/core/oauth/userLogin';
import { UserSession } from '../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { get, location, password, signInInBrowser, submitLogin } from '../../support/loginBrowser';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The browser sign-in against the sandbox, driven headlessly: the authorization code flow with PKCE, the login
// page, the loopback callback, refresh and sign-out. Tokens of this sandbox live 120 s, so that refreshes are due
// after a minute of (injected) time.

let f: SandboxFixture;
let clientId: string;
/** The demo app's xsuaa binding: its client, unlike the Destination service's, registers loopback redirect URIs. */
let login: XsuaaBinding;
before(async () => {
  f = await startSandboxFixture({ tokenLifetimeSeconds: 120 });
  login = parseCredentials(f.sandbox.keys.xsuaa, { expected: 'xsuaa' }) as XsuaaBinding;
  clientId = login.clientId;
});
after(async () => {
  await f.close();
});

/** An authorization URL of the xsuaa client with a fresh PKCE pair, redirecting to a port nobody serves. */
function authorization(overrides: Record<string, string | null> = {}) {
  const pkce = createPkce();
  const state = createState();
  const redirectUri = 'http://localhost:9/btp-connect/callback';
  const url = new URL(authorizationUrl(login, { clientId, redirectUri, state, codeChallenge: pkce.challenge }));
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return { url: url.toString(), pkce, state, redirectUri };
}

/** Signs in through the page and returns the code from the 302 (not followed). */
async function codeFor(userName: string, auth = authorization()): Promise<{ code: string; state: string | null }> {
  const form = await get(auth.url);
  const redirect = new URL(location(await submitLogin(auth.url, form, userName, password(f.sandbox, userName))));
  return { code: redirect.searchParams.get('code') ?? '', state: redirect.searchParams.get('state') };
}

function exchange(code: string, redirectUri: string, verifier?: string) {
  const key = f.sandbox.keys.xsuaa as Record<string, string>;
  return f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, {
    grant_type: 'authorization_code',
    client_id: key.clientid ?? '',
    client_secret: key.clientsecret ?? '',
    code,
    redirect_uri: redirectUri,
    ...(verifier === undefined ? {} : { code_verifier: verifier }),
  });
}

/** The `openBrowser` of a user who signs in at once. */
function browserAs(userName: string) {
  return async (url: string) => {
    await signInInBrowser(f.sandbox, url, userName);
  };
}

function session(secrets: MemorySecretStore, now?: () => number): UserSession {
  return new UserSession({ connection: 'sb', binding: login, agents: f.agents, secrets, ...(now ? { now } : {}) });
}

describe('sandbox: GET /oauth/authorize', () => {
  it('serves a login form with a strict CSP, nothing external, and the tenant of the host', async () => {
    const page = await get(authorization().url);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self' http:\/\/localhost:9(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|\*/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.doesNotMatch(page.text, /<script|src=|href=/i);
    assert.match(page.text, /<form method="post" action="\/oauth\/authorize"/);
    assert.match(page.text, /Sign in to Provider subaccount/);
  });

  it('refuses foreign, port-less and malformed redirect URIs with 400 and no redirect', async () => {
    for (const redirect of [
      'https://evil.example/cb',
      'http://evil.example:8080/cb',
      'http://localhost/cb',
      'http://user:pw@localhost:1234/cb',
      'http://localhost:1234/cb#x',
      'http://localhost.evil.example:1234/cb',
      'not a url',
    ]) {
      const page = await get(authorization({ redirect_uri: redirect }).url);
      assert.equal(page.status, 400, redirect);
      assert.equal(page.headers.location, undefined, redirect);
    }
    const unknownClient = await get(authorization({ client_id: 'nobody' }).url);
    assert.equal(unknownClient.status, 400);
    assert.equal(unknownClient.headers.location, undefined);
    const localhost = await get(authorization({ redirect_uri: 'http://localhost:4321/any/path' }).url);
    assert.equal(localhost.status, 200);
  });

  it('sends PKCE-less and non-code requests back to the redirect URI with an OAuth error and the state', async () => {
    const cases: Record<string, string | null>[] = [
      { code_challenge: null },
      { code_challenge_method: 'plain' },
      { code_challenge: 'short' },
      { response_type: 'token' },
    ];
    for (const override of cases) {
      const auth = authorization(override);
      const page = await get(auth.url);
      assert.equal(page.status, 302, JSON.stringify(override));
      const target = new URL(location(page));
      assert.equal(target.origin, 'http://localhost:9');
      assert.match(target.searchParams.get('error') ?? '', /^(invalid_request|unsupported_response_type)$/);
      assert.equal(target.searchParams.get('state'), auth.state);
      assert.equal(target.searchParams.get('code'), null);
    }
  });

  it('a wrong password shows the page again with an error (no redirect), escaping what it echoes', async () => {
    const auth = authorization();
    const form = await get(auth.url);
    const wrong = await submitLogin(auth.url, form, '<img src=x onerror=alert(1)>"', 'nope');
    assert.equal(wrong.status, 200);
    assert.equal(wrong.headers.location, undefined);
    assert.match(wrong.text, /Wrong user name or password/);
    assert.doesNotMatch(wrong.text, /<img/);
    assert.match(wrong.text, /&#60;img src=x onerror=alert\(1\)&#62;&#34;/);
    const right = await submitLogin(auth.url, wrong, 'alice', password(f.sandbox, 'alice'));
    assert.equal(right.status, 302);
    assert.ok(new URL(location(right)).searchParams.get('code'));
  });

  it('a forged or replayed form id is refused', async () => {
    const auth = authorization();
    const form = await get(auth.url);
    const forged = await submitLogin(
      auth.url,
      { ...form, text: form.text.replace(/name="form_id" value="[^"]+"/, 'name="form_id" value="forged"') },
      'alice',
      password(f.sandbox, 'alice'),
    );
    assert.equal(forged.status, 400);
    assert.equal(forged.headers.location, undefined);
    assert.equal((await submitLogin(auth.url, form, 'alice', password(f.sandbox, 'alice'))).status, 302);
    assert.equal((await submitLogin(auth.url, form, 'alice', password(f.sandbox, 'alice'))).status, 400);
  });
});

describe('sandbox: authorization_code grant with PKCE', () => {
  it('exchanges the code for a user token with the right verifier, once', async () => {
    const auth = authorization();
    const { code, state } = await codeFor('bob', auth);
    assert.equal(state, auth.state);
    const response = await exchange(code, auth.redirectUri, auth.pkce.verifier);
    assert.equal(response.status, 200, response.text);
    const body = response.json<{ access_token: string; refresh_token: string; expires_in: number }>();
    const claims = decodeClaims(body.access_token);
    assert.equal(claims.user_name, 'bob');
    assert.equal(claims.grant_type, 'authorization_code');
    assert.equal(claims.cid, clientId);
    assert.equal(body.expires_in, 120);
    assert.ok(body.refresh_token);
    assert.equal((await exchange(code, auth.redirectUri, auth.pkce.verifier)).status, 400, 'a code is good for one exchange');
  });

  it('refuses a wrong or missing verifier (400 invalid_grant), and the code is spent afterwards', async () => {
    for (const verifier of ['x'.repeat(43), undefined]) {
      const auth = authorization();
      const { code } = await codeFor('alice', auth);
      const refused = await exchange(code, auth.redirectUri, verifier);
      assert.equal(refused.status, 400);
      assert.equal(refused.json<{ error: string }>().error, 'invalid_grant');
      assert.equal((await exchange(code, auth.redirectUri, auth.pkce.verifier)).status, 400);
    }
  });

  it('refuses a redirect URI other than the authorized one', async () => {
    const auth = authorization();
    const { code } = await codeFor('alice', auth);
    const refused = await exchange(code, 'http://localhost:10/btp-connect/callback', auth.pkce.verifier);
    assert.equal(refused.status, 400);
    assert.equal(refused.json<{ error: string }>().error, 'invalid_grant');
  });
});

describe('core: UserSession against the sandbox', () => {
  it('signs in through the browser and the loopback listener; only the secret store keeps the tokens', async () => {
    const secrets = new MemorySecretStore();
    const user = session(secrets);
    let browser: Awaited<ReturnType<typeof signInInBrowser>> | undefined;
    let opened = '';
    const started = performance.now();
    const signedIn = await user.signIn({
      openBrowser: async (url) => {
        opened = url;
        browser = await signInInBrowser(f.sandbox, url, 'alice', { wrongPasswordFirst: true });
      },
    });
    const ms = performance.now() - started;
    console.log(`sign-in flow on the sandbox (page, wrong password, sign-in, callback, code exchange): ${ms.toFixed(1)} ms`);
    assert.equal(signedIn.userName, 'alice');
    assert.equal(signedIn.email, 'alice@example.com');
    const authorize = new URL(opened);
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${f.sandbox.endpoints.tokenServiceUrl}/oauth/authorize`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('client_id'), login.clientId);
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+\/btp-connect\/callback$/);
    const [form, wrong, callback] = browser?.pages ?? [];
    assert.equal(form?.status, 200);
    assert.match(wrong?.text ?? '', /Wrong user name or password/);
    assert.equal(callback?.status, 200);
    assert.match(callback?.text ?? '', /You can close this tab/);
    assert.match(String(callback?.headers['content-security-policy']), /default-src 'none'/);
    assert.deepEqual(secrets.keys().sort(), [userSecretKey('sb', 'access_token'), userSecretKey('sb', 'refresh_token')]);
    const token = await user.accessToken();
    assert.equal(token, await secrets.get(userSecretKey('sb', 'access_token')));
    assert.equal(decodeClaims(token).user_name, 'alice');
  });

  it('another session on the same store (another process) finds the user', async () => {
    const secrets = new MemorySecretStore();
    await session(secrets).signIn({ openBrowser: browserAs('bob') });
    const other = session(secrets);
    assert.equal((await other.load())?.userName, 'bob');
    assert.equal(decodeClaims(await other.accessToken()).user_name, 'bob');
  });

  it('refreshes with the refresh token when less than a minute is left, or on demand', async () => {
    const secrets = new MemorySecretStore();
    let skewMs = 0;
    const user = session(secrets, () => Date.now() + skewMs);
    await user.signIn({ openBrowser: browserAs('alice') });
    const first = await user.accessToken();
    assert.equal(await user.accessToken(), first, 'a fresh token is reused');
    skewMs = 61_000;
    const [second, concurrent] = await Promise.all([user.accessToken(), user.accessToken()]);
    assert.notEqual(second, first);
    assert.equal(concurrent, second, 'concurrent callers share one refresh');
    assert.equal(decodeClaims(second).user_name, 'alice');
    assert.equal(decodeClaims(second).grant_type, 'refresh_token');
    assert.equal(await secrets.get(userSecretKey('sb', 'access_token')), second);
    const forced = await user.accessToken({ forceRefresh: true });
    assert.notEqual(forced, second);
    assert.equal(decodeClaims(forced).user_name, 'alice');
  });

  it('signs out: tokens gone from memory and from the secret store', async () => {
    const secrets = new MemorySecretStore();
    await secrets.set('connection/sb/destination/clientsecret', 'kept');
    const user = session(secrets);
    const changes: (string | undefined)[] = [];
    user.onDidChange((value) => changes.push(value?.userName));
    await user.signIn({ openBrowser: browserAs('alice') });
    await user.signOut();
    assert.deepEqual(secrets.keys(), ['connection/sb/destination/clientsecret']);
    assert.equal(user.user, undefined);
    assert.equal(await user.userToken(), undefined);
    await assert.rejects(user.accessToken(), (error) => isBtpError(error, ErrorCode.SignInRequired) && /btp-connect login sb/.test(error.message));
    assert.deepEqual(changes, ['alice', undefined]);
    assert.equal(await session(secrets).load(), undefined, 'a new process finds nobody either');
  });

  it('a refresh token the service no longer accepts ends the session with SignInRequired and deletes it', async () => {
    const secrets = new MemorySecretStore();
    await secrets.set(userSecretKey('sb', 'refresh_token'), 'revoked-refresh-token');
    const user = session(secrets);
    const error = await user.accessToken().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isBtpError(error, ErrorCode.SignInRequired), String(error));
    assert.doesNotMatch(error.message, /revoked-refresh-token/);
    assert.deepEqual(secrets.keys(), []);
  });

  it('a user who gives up in the browser: the callback error ends the sign-in with SignInFailed', async () => {
    const secrets = new MemorySecretStore();
    const failed = session(secrets).signIn({
      openBrowser: async (url) => {
        const state = new URL(url).searchParams.get('state') ?? '';
        const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? '');
        redirect.searchParams.set('error', 'access_denied');
        redirect.searchParams.set('state', state);
        const page = await get(redirect.toString());
        assert.equal(page.status, 200);
        assert.match(page.text, /did not complete \(access_denied\)/);
      },
    });
    await assert.rejects(failed, (error) => isBtpError(error, ErrorCode.SignInFailed) && /access_denied/.test(error.message));
    assert.deepEqual(secrets.keys(), []);
  });
});
