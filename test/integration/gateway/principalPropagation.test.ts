import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, XsuaaBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { UserSession } from '../../../src/core/oauth/userSession';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { signInInBrowser } from '../../support/loginBrowser';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// Principal propagation into Gateway: with the signed-in user bob, a forward of onprem-erp-principal carries no
// password; the Cloud Connector propagates bob, Gateway logs him on, binds the CSRF session to him and records
// him as CreatedByUser. A token of ERPUSER's session (another forward, another cookie jar) is no good for bob.

let f: SandboxFixture;
let session: UserSession;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;
const partners = '/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner';

before(async () => {
  f = await startSandboxFixture();
  // Users sign in with the client of an xsuaa key of their own app (the sandbox's demo app), as on real BTP.
  const login = parseCredentials(f.sandbox.keys.xsuaa, { expected: 'xsuaa' }) as XsuaaBinding;
  session = new UserSession({ connection: 'sb', binding: login, agents: f.agents, secrets: new MemorySecretStore() });
  await session.signIn({
    openBrowser: async (url) => {
      await signInInBrowser(f.sandbox, url, 'bob');
    },
  });
  const userToken = async () => session.userToken();
  connectivity = new ConnectivityAccess(
    parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
    f.agents,
    undefined,
    { userToken },
  );
  manager = new ForwardManager({
    client: f.client,
    connectivity,
    findOptions: async () => {
      const token = await userToken();
      return token ? { userToken: token } : {};
    },
  });
});
after(async () => {
  await manager.dispose();
  await connectivity.close();
  await f.close();
});

describe('Gateway with principal propagation through a forward', () => {
  it('logs the propagated user on: the CSRF flow works and the new partner is CreatedByUser BOB', async () => {
    const info = await manager.start({ destination: 'onprem-erp-principal' });
    const fetched = await request(`${info.localAddress}${partners}`, { method: 'HEAD', headers: { 'x-csrf-token': 'Fetch' } });
    await fetched.body.dump();
    assert.equal(fetched.statusCode, 200);
    const created = await request(`${info.localAddress}${partners}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': String(fetched.headers['x-csrf-token']) },
      body: JSON.stringify({ BusinessPartnerCategory: '1', FirstName: 'Bob', BusinessPartnerFullName: 'Bob Propagated' }),
    });
    const text = await created.body.text();
    assert.equal(created.statusCode, 201, text);
    assert.equal((JSON.parse(text) as { d: { CreatedByUser: string } }).d.CreatedByUser, 'BOB');
  });

  it('a token ERPUSER fetched through the onprem-erp-basic forward does not let bob write: 403 Required', async () => {
    const basic = await manager.start({ destination: 'onprem-erp-basic' });
    const fetched = await request(`${basic.localAddress}${partners}`, { method: 'HEAD', headers: { 'x-csrf-token': 'Fetch' } });
    await fetched.body.dump();
    const principal = await manager.start({ destination: 'onprem-erp-principal', port: 0 });
    const refused = await request(`${principal.localAddress}${partners}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': String(fetched.headers['x-csrf-token']) },
      body: '{}',
    });
    await refused.body.dump();
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.headers['x-csrf-token'], 'Required');
  });
});
