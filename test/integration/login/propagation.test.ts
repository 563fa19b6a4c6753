import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, XsuaaBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ErrorCode, isBtpError } from '../../../src/core/errors';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { UserSession } from '../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { signInInBrowser } from '../../support/loginBrowser';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The signed-in user through forwards: PrincipalPropagation on-premise (spec §5.1, check 23) reaches the backend
// as that user, and user-based OAuth destinations get the user's token as X-user-token on find-destination
// (spec §3.2). Without a sign-in both fail with a typed error that says to sign in. The user signs in with the
// app's xsuaa client, whose token is what an app in the cloud has: the connectivity proxy takes it as
// SAP-Connectivity-Authentication and the Destination service as X-user-token (same subaccount), no exchange first.

let f: SandboxFixture;
/** The sandbox app's xsuaa binding: the client users sign in with. */
let login: XsuaaBinding;
let session: UserSession;
let signedIn: { connectivity: ConnectivityAccess; manager: ForwardManager };
let anonymous: { connectivity: ConnectivityAccess; manager: ForwardManager };

/** Forwards as the CLI and the extension wire them: the session feeds find-destination and the proxy. */
function forwards(user: UserSession | undefined) {
  const binding = parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding;
  const userToken = async () => user?.userToken();
  const connectivity = new ConnectivityAccess(binding, f.agents, undefined, { userToken });
  const manager = new ForwardManager({
    client: f.client,
    connectivity,
    findOptions: async () => {
      const token = await userToken();
      return token ? { userToken: token } : {};
    },
  });
  return { connectivity, manager };
}

function browserAs(userName: string) {
  return async (url: string) => {
    await signInInBrowser(f.sandbox, url, userName);
  };
}

before(async () => {
  f = await startSandboxFixture();
  login = parseCredentials(f.sandbox.keys.xsuaa, { expected: 'xsuaa' }) as XsuaaBinding;
  session = new UserSession({ connection: 'sb', binding: login, agents: f.agents, secrets: new MemorySecretStore() });
  await session.signIn({ openBrowser: browserAs('bob') });
  signedIn = forwards(session);
  anonymous = forwards(undefined);
});
after(async () => {
  for (const side of [signedIn, anonymous]) {
    await side.manager.dispose();
    await side.connectivity.close();
  }
  await f.close();
});

interface WhoAmI {
  headers: Record<string, string>;
  user: string | null;
  clientCertificate: { subject: string; trusted: boolean } | null;
}

describe('principal propagation through a forward', () => {
  it("the signed-in user's token is the app's (xsuaa client, provider subaccount), not the Destination service's", async () => {
    const claims = decodeClaims(await session.accessToken());
    assert.equal(claims.cid, login.clientId);
    assert.notEqual(claims.cid, f.binding.clientId);
    assert.equal(claims.user_name, 'bob');
    assert.equal(claims.zid, f.binding.tenantId);
  });

  it('the on-premise system sees the signed-in user (X-Emulated-User and a user certificate), and no Authorization', async () => {
    const info = await signedIn.manager.start({ destination: 'onprem-erp-principal' });
    const response = await request(`${info.localAddress}/whoami`);
    assert.equal(response.statusCode, 200);
    const seen = (await response.body.json()) as WhoAmI;
    assert.equal(seen.user, 'bob');
    assert.match(seen.clientCertificate?.subject ?? '', /CN=bob/);
    assert.equal(seen.clientCertificate?.trusted, true);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['sap-connectivity-authentication'], undefined);
  });

  it('a client cannot smuggle its own user: SAP-Connectivity-Authentication from the local side is dropped', async () => {
    const info = await anonymous.manager.start({ destination: 'onprem-erp-basic' });
    const alice = await f.userToken('alice');
    const response = await request(`${info.localAddress}/whoami`, { headers: { 'SAP-Connectivity-Authentication': `Bearer ${alice}` } });
    const seen = (await response.body.json()) as WhoAmI;
    assert.equal(seen.user, null);
  });

  it('without a signed-in user a PrincipalPropagation destination fails with BTP_SIGN_IN_REQUIRED, naming the fix', async () => {
    const info = await anonymous.manager.start({ destination: 'onprem-erp-principal' });
    const response = await request(`${info.localAddress}/whoami`);
    const body = (await response.body.json()) as { error: { code: string; message: string } };
    assert.equal(response.statusCode, 401);
    assert.equal(body.error.code, 'BTP_SIGN_IN_REQUIRED');
    assert.match(body.error.message, /"onprem-erp-principal" uses PrincipalPropagation/);
    assert.match(body.error.message, /btp-connect login/);
  });

  it('follows the session: after sign-out the same forward refuses, after a new sign-in it carries the new user', async () => {
    const secrets = new MemorySecretStore();
    const user = new UserSession({ connection: 'sb2', binding: login, agents: f.agents, secrets });
    const side = forwards(user);
    try {
      await user.signIn({ openBrowser: browserAs('alice') });
      const info = await side.manager.start({ destination: 'onprem-erp-principal' });
      assert.equal(((await (await request(`${info.localAddress}/whoami`)).body.json()) as WhoAmI).user, 'alice');
      await user.signOut();
      const refused = await request(`${info.localAddress}/whoami`);
      assert.equal(((await refused.body.json()) as { error: { code: string } }).error.code, 'BTP_SIGN_IN_REQUIRED');
      await user.signIn({ openBrowser: browserAs('bob') });
      assert.equal(((await (await request(`${info.localAddress}/whoami`)).body.json()) as WhoAmI).user, 'bob');
    } finally {
      await side.manager.dispose();
      await side.connectivity.close();
    }
  });
});

describe('X-user-token for user-based OAuth destinations', () => {
  it('find-destination answers a token-exchange destination with a token for the signed-in user (X-user-token from the app client)', async () => {
    const found = await f.client.find('internet-user-exchange', { userToken: await session.accessToken() });
    const token = found?.authTokens?.[0];
    assert.ok(token && token.error === undefined, JSON.stringify(token));
    assert.equal(decodeClaims(token.value).user_name, 'bob');
    assert.equal(decodeClaims(token.value).cid, 'sandbox-backend-client');
  });

  for (const destination of ['internet-user-exchange', 'internet-jwt-bearer']) {
    it(`${destination}: the upstream gets a bearer token of the signed-in user through the forward`, async () => {
      const info = await signedIn.manager.start({ destination });
      const echoed = (await (await request(`${info.localAddress}/me`)).body.json()) as { headers: Record<string, string> };
      const bearer = /^Bearer (.+)$/.exec(echoed.headers.authorization ?? '')?.[1] ?? '';
      const claims = decodeClaims(bearer);
      assert.equal(claims.user_name, 'bob');
      assert.equal(claims.cid, 'sandbox-backend-client');
    });
  }

  it('without a sign-in the forward does not start: it names the missing user token and how to sign in', async () => {
    await assert.rejects(
      anonymous.manager.start({ destination: 'internet-user-exchange' }),
      (error) => isBtpError(error, ErrorCode.SignInRequired) && /needs the user token \(X-user-token\), and nobody is signed in/.test(error.message),
    );
  });
});
