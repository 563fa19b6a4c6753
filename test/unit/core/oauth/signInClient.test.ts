import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { XsuaaBinding } from '../../../../src/core/bindings/types';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { HttpAgents } from '../../../../src/core/http/agents';
import { refusalText, SIGN_IN_REDIRECT_URI_PATTERN } from '../../../../src/core/oauth/signInClient';
import { authorizationEndpoint, signInUser, userTokenClient } from '../../../../src/core/oauth/userLogin';
import { UserSession } from '../../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { CANARY_SECRET, x509, xsuaaKey } from '../../../support/bindingFixtures';

// Which client can sign a user in: a token service that refuses the browser sign-in for a client (unregistered
// redirect URI, no authorization_code grant) is caught before the browser opens, or at the code exchange, and
// reported as BTP_SIGN_IN_NOT_CONFIGURED with the fix. A scripted token service on loopback plays XSUAA.

type Mode = 'refuse-page' | 'login-redirect';
let mode: Mode = 'refuse-page';
let server: Server;
let base: string;
const agents = new HttpAgents();
const tokenRequests: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/oauth/authorize') {
      if (mode === 'login-redirect') {
        res.writeHead(302, { location: '/login' }).end();
        return;
      }
      // What UAA's error page says for a redirect URI the client did not register (UaaAuthorizationEndpoint).
      const redirect = new URL(req.url ?? '/', 'http://x').searchParams.get('redirect_uri');
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end(
        `<html><head><title>Oops</title><style>p{color:red}</style></head><body><h1>Invalid redirect</h1><p>Invalid redirect ${redirect} did not match one of the registered values</p></body></html>`,
      );
      return;
    }
    if (req.method === 'POST' && path === '/oauth/token') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        tokenRequests.push(new URLSearchParams(body).get('grant_type') ?? '');
        // UAA's AbstractTokenGranter for a grant type the client is not registered for.
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_client', error_description: 'Unauthorized grant type' }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  await agents.close();
  await new Promise((resolve) => server.close(resolve));
});

function binding(): XsuaaBinding {
  return parseCredentials(xsuaaKey({ url: base, uaadomain: base.slice('http://'.length) }), { expected: 'xsuaa' }) as XsuaaBinding;
}

describe('refusalText', () => {
  it("finds UAA's and XSUAA's sentence on an error page, the OAuth error of a JSON body, and clips long pages", () => {
    const uaa =
      '<html><head><title>Invalid redirect</title></head><body><h1>Invalid redirect</h1><div><p>Invalid redirect http://localhost:1234/btp-connect/callback did not match one of the registered values</p></div></body></html>';
    assert.equal(refusalText(uaa), 'Invalid redirect http://localhost:1234/btp-connect/callback did not match one of the registered values');
    assert.equal(
      refusalText('<h1>Error</h1><p>Something went wrong. The redirect_uri has an invalid domain. Contact your admin.</p>'),
      'The redirect_uri has an invalid domain.',
    );
    assert.equal(
      refusalText('{"error":"invalid_grant","error_description":"A redirect_uri can only be used by implicit or authorization_code grant types."}'),
      'invalid_grant: A redirect_uri can only be used by implicit or authorization_code grant types.',
    );
    assert.equal(refusalText('<p>x &amp; y &#60;z&#62;</p>'), 'x & y <z>');
    assert.ok(refusalText(`<p>${'word '.repeat(200)}</p>`).length <= 300);
  });
});

describe('signing in with a client the token service refuses', () => {
  it('an error page at /oauth/authorize: BTP_SIGN_IN_NOT_CONFIGURED with its words and the fix, and no browser', async () => {
    mode = 'refuse-page';
    let opened = false;
    const error = await signInUser({ binding: binding(), connection: 'dev', agents, openBrowser: () => void (opened = true) }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isBtpError(error, ErrorCode.SignInNotConfigured), String(error));
    assert.equal(opened, false, 'the browser is not sent to an error page');
    assert.equal(error.status, 400);
    assert.match(
      error.message,
      /refused to start a browser sign-in for client "sb-my-app!t12345" \(HTTP 400: Invalid redirect http:\/\/localhost:\d+\/btp-connect\/callback did not match one of the registered values\)/,
    );
    assert.ok(error.message.includes(`"redirect-uris": ["${SIGN_IN_REDIRECT_URI_PATTERN}"]`), error.message);
    assert.match(error.message, /`btp-connect login dev --login-key <xsuaa-key\.json>`/);
    assert.match(error.message, /The Destination service key's client cannot sign users in/);
    assert.doesNotMatch(error.message, new RegExp(CANARY_SECRET.replace(/\$/g, '\\$')));
  });

  it('a code exchange refused for the grant (401 invalid_client "Unauthorized grant type"): BTP_SIGN_IN_NOT_CONFIGURED', async () => {
    mode = 'login-redirect';
    const error = await signInUser({
      binding: binding(),
      agents,
      // The browser comes back with a code, as if the user signed in.
      openBrowser: async (url) => {
        const authorize = new URL(url);
        const callback = new URL(authorize.searchParams.get('redirect_uri') ?? '');
        callback.searchParams.set('code', 'a-code');
        callback.searchParams.set('state', authorize.searchParams.get('state') ?? '');
        await (await request(callback)).body.dump();
      },
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isBtpError(error, ErrorCode.SignInNotConfigured), String(error));
    assert.deepEqual(tokenRequests, ['authorization_code']);
    assert.match(error.message, /does not let client "sb-my-app!t12345" sign users in \(invalid_client: Unauthorized grant type\)/);
    assert.match(error.message, /`btp-connect login <connection> --login-key <xsuaa-key\.json>`/);
  });

  it('a session without a sign-in key says so and names the command that adds one; nothing is stored', async () => {
    const secrets = new MemorySecretStore();
    const session = new UserSession({ connection: 'dev', agents, secrets });
    assert.equal(session.canSignIn, false);
    let opened = false;
    await assert.rejects(
      session.signIn({ openBrowser: () => void (opened = true) }),
      (error) =>
        isBtpError(error, ErrorCode.SignInNotConfigured) &&
        /Connection "dev" has no xsuaa service key to sign users in with\./.test(error.message) &&
        /btp-connect login dev --login-key/.test(error.message),
    );
    assert.equal(opened, false);
    assert.deepEqual(secrets.keys(), []);
    await session.useBinding(binding());
    assert.equal(session.canSignIn, true);
  });
});

describe('an X.509 xsuaa key', () => {
  it('sends the browser to <url>/oauth/authorize and exchanges the code at <certurl> (browsers cannot do mTLS)', () => {
    const key = parseCredentials(x509(xsuaaKey()), { expected: 'xsuaa' });
    assert.equal(authorizationEndpoint(key), 'https://provider-sub.authentication.eu10.hana.ondemand.com/oauth/authorize');
    const client = userTokenClient(key);
    assert.equal(client.tokenUrl, 'https://provider-sub.authentication.cert.eu10.hana.ondemand.com/oauth/token');
    assert.equal(client.auth.kind, 'x509');
  });
});

describe('signing in for a subscriber tenant', () => {
  it("goes to the tenant's subdomain of uaadomain, for the browser and for the token, as XSUAA serves each tenant", () => {
    const key = parseCredentials(xsuaaKey(), { expected: 'xsuaa' });
    assert.equal(authorizationEndpoint(key, { subdomain: 'customer-a' }), 'https://customer-a.authentication.eu10.hana.ondemand.com/oauth/authorize');
    assert.equal(userTokenClient(key, { subdomain: 'customer-a' }).tokenUrl, 'https://customer-a.authentication.eu10.hana.ondemand.com/oauth/token');
    const byId = userTokenClient(key, { zid: 'zone-1' });
    assert.equal(byId.tokenUrl, 'https://authentication.eu10.hana.ondemand.com/oauth/token');
    assert.deepEqual(byId.headers, { 'x-zid': 'zone-1' });
  });

  it('refuses a tenant known only by its id for the browser, saying to use its subdomain', () => {
    const key = parseCredentials(xsuaaKey(), { expected: 'xsuaa' });
    assert.throws(
      () => authorizationEndpoint(key, { zid: 'zone-1' }),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput) && error.field === 'tenant' && /by its subdomain/.test(error.message),
    );
  });
});
