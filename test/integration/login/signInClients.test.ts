import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ServiceBinding } from '../../../src/core/bindings/types';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { createPkce, createState } from '../../../src/core/oauth/pkce';
import { SIGN_IN_REDIRECT_URI_PATTERN } from '../../../src/core/oauth/signInClient';
import { GrantType } from '../../../src/core/oauth/tokenRequest';
import { authorizationUrl } from '../../../src/core/oauth/userLogin';
import { UserSession } from '../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { get } from '../../support/loginBrowser';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Which OAuth clients the sandbox lets start a browser sign-in, as XSUAA does: only a client with the
// authorization_code grant whose redirect-uris list the redirect URI (UAA's LegacyRedirectResolver and
// AbstractTokenGranter). The Destination and Connectivity service instances' clients register none, so signing in
// with their keys fails with UAA's error page, and the core turns that into BTP_SIGN_IN_NOT_CONFIGURED with the fix.

let f: SandboxFixture;
before(async () => {
  f = await startSandboxFixture();
});
after(async () => {
  await f.close();
});

function binding(name: 'destination' | 'destinationX509' | 'connectivity' | 'xsuaa'): ServiceBinding {
  return parseCredentials(f.sandbox.keys[name], { expected: name === 'destinationX509' ? 'destination' : name });
}

/** GET /oauth/authorize for `client` with a fresh PKCE pair, as a browser without a session sends it. */
function authorize(client: ServiceBinding, redirectUri = 'http://localhost:9/btp-connect/callback') {
  return get(authorizationUrl(client, { clientId: client.clientId, redirectUri, state: createState(), codeChallenge: createPkce().challenge }));
}

function token(key: Record<string, unknown>, form: Record<string, string>) {
  return f.tokenRequest(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`, {
    client_id: String(key.clientid),
    client_secret: String(key.clientsecret),
    ...form,
  });
}

describe('sandbox: /oauth/authorize checks the client like XSUAA', () => {
  for (const name of ['destination', 'destinationX509', 'connectivity'] as const) {
    it(`the ${name} service key's client is refused with UAA's error page (400), nothing goes to the redirect URI`, async () => {
      const page = await authorize(binding(name));
      assert.equal(page.status, 400);
      assert.equal(page.headers.location, undefined);
      assert.match(page.text, /Invalid redirect http:\/\/localhost:9\/btp-connect\/callback did not match one of the registered values\./);
      assert.match(page.text, /service-keys\/xsuaa\.json/);
      assert.doesNotMatch(page.text, /form_id/);
    });
  }

  it("the app's xsuaa client gets the login page for a loopback redirect on localhost, any port, any path", async () => {
    for (const redirect of ['http://localhost:9/btp-connect/callback', 'http://localhost:65535/any/path?x=1']) {
      const page = await authorize(binding('xsuaa'), redirect);
      assert.equal(page.status, 200, redirect);
      assert.match(page.text, /name="form_id"/);
    }
  });

  it("a redirect URI not in the xsuaa client's redirect-uris is refused (127.0.0.1 too: XSUAA registers http:// only for localhost)", async () => {
    for (const redirect of [
      'http://127.0.0.1:1234/btp-connect/callback',
      'https://localhost:1234/btp-connect/callback',
      'http://localhost/btp-connect/callback',
      'http://app.example:1234/cb',
    ]) {
      const page = await authorize(binding('xsuaa'), redirect);
      assert.equal(page.status, 400, redirect);
      assert.equal(page.headers.location, undefined, redirect);
      assert.match(page.text, /did not match one of the registered values/, redirect);
    }
  });
});

describe('sandbox: /oauth/token checks the grant type like XSUAA', () => {
  it('service-instance clients get 401 invalid_client "Unauthorized grant type" for user grants; their own grants still work', async () => {
    for (const name of ['destination', 'connectivity'] as const) {
      const key = f.sandbox.keys[name];
      const userGrants: Record<string, string>[] = [
        { grant_type: 'authorization_code', code: 'c', redirect_uri: 'http://localhost:9/cb' },
        { grant_type: 'password', username: 'alice', password: 'x' },
        { grant_type: 'refresh_token', refresh_token: 'r' },
      ];
      for (const form of userGrants) {
        const refused = await token(key, form);
        assert.equal(refused.status, 401, `${name} ${form.grant_type}`);
        assert.deepEqual(refused.json(), { error: 'invalid_client', error_description: 'Unauthorized grant type' });
      }
      assert.equal((await token(key, { grant_type: GrantType.ClientCredentials })).status, 200, name);
      const user = await f.userToken('alice');
      const exchanged = await token(key, { grant_type: GrantType.JwtBearer, assertion: user });
      assert.equal(exchanged.status, 200, name);
      assert.equal(decodeClaims(exchanged.json<{ access_token: string }>().access_token).user_name, 'alice');
    }
  });

  it('an unsupported grant is still unsupported_grant_type (400), before the client is asked', async () => {
    const answer = await token(f.sandbox.keys.destination, { grant_type: 'implicit' });
    assert.equal(answer.status, 400);
    assert.equal(answer.json<{ error: string }>().error, 'unsupported_grant_type');
  });
});

describe('core: signing in with a Destination or Connectivity service key', () => {
  for (const name of ['destination', 'destinationX509', 'connectivity'] as const) {
    it(`${name}: BTP_SIGN_IN_NOT_CONFIGURED quoting XSUAA's refusal and naming the fix; no browser, nothing stored`, async () => {
      const secrets = new MemorySecretStore();
      const session = new UserSession({ connection: 'sb', binding: binding(name), agents: f.agents, secrets });
      let opened = false;
      const error = await session.signIn({ openBrowser: () => void (opened = true) }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(isBtpError(error, ErrorCode.SignInNotConfigured), String(error));
      assert.equal(opened, false);
      assert.deepEqual(secrets.keys(), []);
      assert.equal(error.status, 400);
      assert.match(error.serviceMessage ?? '', /^Invalid redirect http:\/\/localhost:\d+\/btp-connect\/callback did not match one of the registered values\.$/);
      assert.ok(
        error.message.includes(
          `Use an xsuaa service key of your own application whose xs-security.json allows the browser sign-in: "oauth2-configuration": {"redirect-uris": ["${SIGN_IN_REDIRECT_URI_PATTERN}"]}`,
        ),
        error.message,
      );
      assert.match(error.message, /`btp-connect login sb --login-key <xsuaa-key\.json>`/);
    });
  }
});
