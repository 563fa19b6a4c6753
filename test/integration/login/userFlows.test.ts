import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { XsuaaBinding } from '../../../src/core/bindings/types';
import type { FindOptions, FindResult } from '../../../src/core/destinationService/types';
import { checkDestination } from '../../../src/core/diagnosis/checkDestination';
import { ErrorCode } from '../../../src/core/errors';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { createPkce } from '../../../src/core/oauth/pkce';
import { SILENT_REDIRECT_URI } from '../../../src/core/oauth/silentAuthorize';
import { UserSession } from '../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { userForwarding } from '../../../src/core/session/userForwarding';
import { signInInBrowser } from '../../support/loginBrowser';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Finding (issue 15): forwards could not carry OAuth2RefreshToken, OAuth2AuthorizationCode or OAuth2TokenExchange
// destinations: nothing supplied X-refresh-token, X-code or X-subject-token to find-destination, though a signed-in
// user existed. Now the signed-in user's session supplies each, only to the destinations whose Authentication
// needs it; without a user each is refused with BTP_SIGN_IN_REQUIRED naming the missing input and the fix.

let f: SandboxFixture;
let login: XsuaaBinding;
let bob: UserSession;
let nobody: UserSession;

/** The Destination service client, with every find-destination call's inputs recorded. */
function recording() {
  const calls: { name: string; options: FindOptions }[] = [];
  const client = {
    find: (name: string, options: FindOptions = {}): Promise<FindResult | undefined> => {
      calls.push({ name, options });
      return f.client.find(name, options);
    },
  };
  return { client, calls };
}

/** A forward manager wired as the CLI and the extension wire it: `userForwarding(session).findOptions`. */
function forwardsFor(session: UserSession) {
  const recorded = recording();
  const manager = new ForwardManager({ client: recorded.client, findOptions: userForwarding(session).findOptions });
  return { manager, calls: recorded.calls };
}

async function bearerSeenBy(localAddress: string): Promise<Record<string, unknown>> {
  const response = await request(`${localAddress}/me`);
  const text = await response.body.text();
  assert.equal(response.statusCode, 200, text);
  const echoed = JSON.parse(text) as { headers: Record<string, string> };
  const bearer = /^Bearer (.+)$/.exec(echoed.headers.authorization ?? '')?.[1];
  assert.ok(bearer, `a bearer token upstream: ${JSON.stringify(echoed.headers)}`);
  return decodeClaims(bearer);
}

before(async () => {
  f = await startSandboxFixture();
  login = parseCredentials(f.sandbox.keys.xsuaa, { expected: 'xsuaa' }) as XsuaaBinding;
  bob = new UserSession({ connection: 'sb', binding: login, agents: f.agents, secrets: new MemorySecretStore() });
  await bob.signIn({ openBrowser: (url) => signInInBrowser(f.sandbox, url, 'bob').then(() => undefined) });
  nobody = new UserSession({ connection: 'sb', binding: login, agents: f.agents, secrets: new MemorySecretStore() });
});
after(async () => {
  bob.dispose();
  nobody.dispose();
  await f.close();
});

describe('finding: forwards could not carry OAuth2RefreshToken, OAuth2AuthorizationCode, OAuth2TokenExchange', () => {
  const flows = [
    { destination: 'user-refresh-token', grant: 'refresh_token', client: () => login.clientId, missing: /X-refresh-token/ },
    { destination: 'user-authorization-code', grant: 'authorization_code', client: () => login.clientId, missing: /X-code/ },
    {
      destination: 'internet-token-exchange',
      grant: 'urn:ietf:params:oauth:grant-type:token-exchange',
      client: () => 'sandbox-backend-client',
      missing: /X-subject-token/,
    },
  ];

  for (const flow of flows) {
    it(`${flow.destination}: a forward with a signed-in user reaches the upstream with a token for that user (${flow.grant})`, async () => {
      const { manager, calls } = forwardsFor(bob);
      try {
        const info = await manager.start({ destination: flow.destination });
        const claims = await bearerSeenBy(info.localAddress);
        assert.equal(claims.user_name, 'bob');
        assert.equal(claims.cid, flow.client());
        assert.equal(claims.grant_type, flow.grant);
        // The first lookup with token retrieval learns the Authentication, the second carries the flow's input (the
        // forward's kind probe, $skipTokenRetrieval, runs alongside).
        assert.deepEqual(
          calls.filter((call) => !call.options.skipTokenRetrieval).map((call) => Object.keys(call.options).sort()),
          [
            ['userToken'],
            {
              refresh_token: ['refreshToken', 'userToken'],
              authorization_code: ['code', 'codeVerifier', 'redirectUri', 'userToken'],
            }[flow.grant] ?? ['subjectToken', 'subjectTokenType', 'userToken'],
          ],
        );
      } finally {
        await manager.dispose();
      }
    });

    it(`${flow.destination}: without a signed-in user the one-port forward answers 401 BTP_SIGN_IN_REQUIRED naming the missing input and the fix`, async () => {
      const { manager } = forwardsFor(nobody);
      try {
        const all = await manager.start({ destination: ALL_DESTINATIONS });
        const response = await request(`${all.localAddress}/${flow.destination}/me`);
        const body = (await response.body.json()) as { error: { code: string; message: string } };
        assert.equal(response.statusCode, 401);
        assert.equal(body.error.code, ErrorCode.SignInRequired);
        assert.match(body.error.message, flow.missing);
        assert.match(body.error.message, /nobody is signed in to connection "sb"\. Sign in: `btp-connect login sb`, or Sign In on the connection in VS Code/);
        // A forward of the destination alone does not start, for the same reason.
        await assert.rejects(
          manager.start({ destination: flow.destination }),
          (error: Error & { code?: string }) => error.code === ErrorCode.SignInRequired && flow.missing.test(error.message),
        );
      } finally {
        await manager.dispose();
      }
    });
  }

  it('the authorization code is fresh for every lookup: two forwards of the same destination each redeem their own', async () => {
    const first = forwardsFor(bob);
    const second = forwardsFor(bob);
    try {
      for (const side of [first, second]) {
        const info = await side.manager.start({ destination: 'user-authorization-code' });
        assert.equal((await bearerSeenBy(info.localAddress)).user_name, 'bob');
      }
      const codes = [...first.calls, ...second.calls].map((call) => call.options.code).filter((code) => code !== undefined);
      assert.equal(codes.length, 2);
      assert.notEqual(codes[0], codes[1]);
      assert.ok(first.calls.every((call) => call.options.redirectUri === undefined || call.options.redirectUri === SILENT_REDIRECT_URI));
    } finally {
      await first.manager.dispose();
      await second.manager.dispose();
    }
  });

  it("destinations that need no user never get the refresh token, a code or a subject token; one of another client doesn't either", async () => {
    const { manager, calls } = forwardsFor(bob);
    try {
      for (const destination of ['internet-noauth', 'internet-basic', 'internet-oauth-cc', 'internet-user-exchange']) {
        const info = await manager.start({ destination });
        const response = await request(`${info.localAddress}/me`);
        await response.body.dump();
        assert.equal(response.statusCode, 200, destination);
      }
      // The seeded internet-refresh-token uses the backend's client: the user's refresh token is no good there.
      await assert.rejects(
        manager.start({ destination: 'internet-refresh-token' }),
        (error: Error & { code?: string }) =>
          error.code === ErrorCode.UserFlowUnavailable &&
          error.message.includes(`was issued to client "${login.clientId}" and works only for it, not for the destination's client "sandbox-backend-client"`),
      );
      assert.ok(calls.length >= 5);
      for (const call of calls) {
        assert.equal(call.options.refreshToken, undefined, call.name);
        assert.equal(call.options.code, undefined, call.name);
        assert.equal(call.options.subjectToken, undefined, call.name);
      }
    } finally {
      await manager.dispose();
    }
  });

  it('check walks each flow as the signed-in user, and names the same refusal without one', async () => {
    const userInputs = userForwarding(bob).findOptions;
    for (const destination of ['user-refresh-token', 'user-authorization-code', 'internet-token-exchange']) {
      const result = await checkDestination(destination, { client: f.client, agents: f.agents, userInputs });
      assert.equal(result.firstFailure, undefined, `${destination}: ${JSON.stringify(result.firstFailure)}`);
      assert.equal(result.status, 200);
      const refused = await checkDestination(destination, { client: f.client, agents: f.agents, userInputs: userForwarding(nobody).findOptions });
      assert.equal(refused.firstFailure?.hop, 'authToken');
      assert.equal(refused.firstFailure?.code, ErrorCode.SignInRequired);
      assert.match(refused.firstFailure?.detail ?? '', /nobody is signed in to connection "sb"/);
      assert.match(refused.firstFailure?.fix ?? '', /btp-connect login sb/);
    }
  });
});

describe('the sandbox runs the user flows as strictly as SAP', () => {
  it('find-destination: OAuth2RefreshToken without X-refresh-token, or with a wrong one, is an authTokens error', async () => {
    const missing = await f.client.find('user-refresh-token', {});
    assert.match(missing?.authTokens?.[0]?.error ?? '', /X-refresh-token header is required/);
    const wrong = await f.client.find('user-refresh-token', { refreshToken: 'not-a-refresh-token' });
    assert.match(wrong?.authTokens?.[0]?.error ?? '', /Invalid refresh token/);
  });

  it('find-destination: OAuth2AuthorizationCode without X-code, or with a code used once already, is an authTokens error', async () => {
    const missing = await f.client.find('user-authorization-code', {});
    assert.match(missing?.authTokens?.[0]?.error ?? '', /X-code header is required/);
    const code = await bob.authorizationCode({
      tokenServiceUrl: `${f.sandbox.endpoints.tokenServiceUrl}/oauth/token`,
      clientId: login.clientId,
      destination: 'x',
    });
    const inputs = { code: code.code, redirectUri: code.redirectUri, codeVerifier: code.codeVerifier };
    assert.equal((await f.client.find('user-authorization-code', inputs))?.authTokens?.[0]?.error, undefined);
    assert.match((await f.client.find('user-authorization-code', inputs))?.authTokens?.[0]?.error ?? '', /Invalid authorization code/);
  });

  it('find-destination: OAuth2TokenExchange without a subject token type is an authTokens error', async () => {
    const token = await bob.accessToken();
    const noType = await f.client.find('internet-token-exchange', { subjectToken: token });
    assert.match(noType?.authTokens?.[0]?.error ?? '', /X-subject-token-type headers are required/);
    const badType = await f.client.find('internet-token-exchange', { subjectToken: token, subjectTokenType: 'urn:example:nonsense' });
    assert.match(badType?.authTokens?.[0]?.error ?? '', /Unsupported subject_token_type/);
  });

  it("the token-based authorize (UAA's non-browser flow) refuses a token that is no user's with 401 and gives no code", async () => {
    const pkce = createPkce();
    const url = new URL(`${f.sandbox.endpoints.tokenServiceUrl}/oauth/authorize`);
    for (const [key, value] of Object.entries({
      response_type: 'code',
      client_id: login.clientId,
      redirect_uri: SILENT_REDIRECT_URI,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(key, value);
    const forged = await request(url, { headers: { authorization: 'Bearer not.a.token' }, dispatcher: f.agents.default });
    await forged.body.dump();
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.headers.location, undefined);
    const service = await request(url, { headers: { authorization: `Bearer ${await f.serviceToken()}` }, dispatcher: f.agents.default });
    await service.body.dump();
    assert.equal(service.statusCode, 401, 'a client-credentials token names no user');
  });
});
