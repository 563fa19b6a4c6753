import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { FindOptions } from '../../../src/core/destinationService/types';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { tenantClients } from '../../../src/core/forward/tenantClients';
import { SUBSCRIBER_TENANT_ID } from '../../../src/sandbox/base/world';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// The transparent proxy's request contract on one local port (SAP's transparent-proxy docs and the SAP Cloud
// SDK's TransparentProxyDestination header names), against the sandbox's Destination service: each header is
// honoured or refused with a reason, and none of them reaches the upstream.

let f: SandboxFixture;
let manager: ForwardManager;
let upstream: RecordingServer;
let other: RecordingServer;
let all: ForwardInfo;
let single: ForwardInfo;
/** What the forward asked find-destination for, per destination name. */
const finds: { name: string; options: FindOptions }[] = [];

before(async () => {
  f = await startSandboxFixture();
  upstream = await startRecordingServer();
  other = await startRecordingServer();
  await f.client.create('subaccount', {
    Name: 'recorder',
    Type: 'HTTP',
    URL: `${upstream.url}/base`,
    ProxyType: 'Internet',
    Authentication: 'NoAuthentication',
  });
  // A fragment that moves the destination to another server with other credentials (it wins on conflicts).
  await f.client.saveFragment('subaccount', {
    FragmentName: 'elsewhere',
    URL: `${other.url}/moved`,
    Authentication: 'BasicAuthentication',
    User: 'frag-user',
    Password: 'frag-password-1',
  });
  const client = {
    find: (name: string, options: FindOptions = {}) => {
      finds.push({ name, options });
      return f.client.find(name, options);
    },
  };
  manager = new ForwardManager({ client, clientForTenant: tenantClients(f.binding, f.agents) });
  all = await manager.start({ destination: ALL_DESTINATIONS });
  single = await manager.start({ destination: 'recorder' });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
  await other.close();
  await f.close();
});

async function get(path: string, headers: Record<string, string | string[]> = {}, on: ForwardInfo = all) {
  const response = await request(`${on.localAddress}${path}`, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

const lastSeen = (server: RecordingServer) => server.requests.at(-1);

describe('the transparent proxy contract on one port', () => {
  it('X-Destination-Name picks the destination; the path stays as it is', async () => {
    const answer = await get('/some/path?q=1', { 'X-Destination-Name': 'recorder' });
    assert.equal(answer.status, 200);
    assert.equal(lastSeen(upstream)?.url, '/base/some/path?q=1');
  });

  it('X-Fragment-Name merges the fragment: URL and authentication come from it', async () => {
    const before = other.requests.length;
    const answer = await get('/x', { 'X-Destination-Name': 'recorder', 'X-Fragment-Name': 'elsewhere' });
    assert.equal(answer.status, 200);
    assert.equal(other.requests.length, before + 1);
    assert.equal(lastSeen(other)?.url, '/moved/x');
    assert.equal(lastSeen(other)?.headers.authorization, `Basic ${Buffer.from('frag-user:frag-password-1').toString('base64')}`);
    assert.deepEqual(finds.at(-1), { name: 'recorder', options: { fragmentName: 'elsewhere' } });
    // The same name without the fragment still goes to its own URL: resolutions are kept apart.
    await get('/y', { 'X-Destination-Name': 'recorder' });
    assert.equal(lastSeen(upstream)?.url, '/base/y');
    // Also in path form.
    await get('/recorder/z', { 'X-Fragment-Name': 'elsewhere' });
    assert.equal(lastSeen(other)?.url, '/moved/z');
  });

  it('a missing fragment: 502 from the Destination service (internal 404), unless X-Fragment-Optional: true', async () => {
    const missing = await get('/x', { 'X-Destination-Name': 'recorder', 'X-Fragment-Name': 'no-such-fragment' });
    assert.equal(missing.status, 502);
    assert.equal(missing.headers['x-error-origin'], 'Destination Service');
    assert.equal(missing.headers['x-internal-error-code'], '404');
    assert.match(String(missing.headers['x-error-message']), /recorder/);
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'BTP_NOT_FOUND');
    const optional = await get('/opt', { 'X-Destination-Name': 'recorder', 'X-Fragment-Name': 'no-such-fragment', 'X-Fragment-Optional': 'true' });
    assert.equal(optional.status, 200);
    assert.equal(lastSeen(upstream)?.url, '/base/opt');
    assert.equal(finds.at(-1)?.options.fragmentOptional, true);
    // The miss is remembered for the fragment, not for the destination.
    assert.equal((await get('/still', { 'X-Destination-Name': 'recorder' })).status, 200);
  });

  it('an unknown destination: 502 by header (as the transparent proxy answers), 404 by path', async () => {
    const byHeader = await get('/x', { 'X-Destination-Name': 'no-such-destination' });
    assert.equal(byHeader.status, 502);
    assert.equal(byHeader.headers['x-internal-error-code'], '404');
    // Again, now answered from the router's memory of the miss: the same status.
    const again = await get('/x', { 'X-Destination-Name': 'no-such-destination' });
    assert.equal(again.status, 502);
    assert.match(again.text, /looked up less than/);
    assert.equal((await get('/no-such-destination-2/x')).status, 404);
  });

  it('X-Destination-Level asks find-destination for that level only', async () => {
    assert.equal((await get('/x', { 'X-Destination-Name': 'recorder', 'X-Destination-Level': 'subaccount' })).status, 200);
    assert.equal(finds.at(-1)?.options.level, 'subaccount');
    assert.equal((await get('/x', { 'X-Destination-Name': 'recorder', 'X-Destination-Level': 'instance' })).status, 502);
    assert.equal((await get('/x', { 'X-Destination-Name': 'recorder', 'X-Destination-Level': 'galaxy' })).status, 400);
  });

  it("X-Tenant-Id and X-Tenant-Subdomain act for the subscriber: its destinations, never the provider's", async () => {
    const subscriberBasic = `Basic ${Buffer.from('subscriber-user:subscriber-password-1').toString('base64')}`;
    const subscriber = await get('/x', { 'X-Destination-Name': 'subscriber-api', 'X-Tenant-Id': SUBSCRIBER_TENANT_ID });
    assert.equal(subscriber.status, 200, subscriber.text);
    const echo = subscriber.json<{ path: string; headers: Record<string, string> }>();
    assert.equal(echo.path, '/subscriber-api/x');
    assert.equal(echo.headers.authorization, subscriberBasic);
    // By subdomain the token comes from the subscriber's own zone (<subdomain>.<uaadomain>), which the sandbox
    // names under localhost: this resolver may not know such names, so the proof is where the token was asked for.
    const bySubdomain = await get('/x', { 'X-Destination-Name': 'subscriber-api', 'X-Tenant-Subdomain': 'subscriber' });
    if (bySubdomain.status !== 200) assert.match(bySubdomain.json<{ error: { message: string } }>().error.message, /https:\/\/subscriber\.localhost:/);
    // The provider does not have the subscriber's destination: without the tenant it is unknown.
    const provider = await get('/x', { 'X-Destination-Name': 'subscriber-api' });
    assert.equal(provider.headers['x-internal-error-code'], '404');
    // And the provider's own destination is not the subscriber's.
    const recorder = await get('/x', { 'X-Destination-Name': 'recorder', 'X-Tenant-Id': SUBSCRIBER_TENANT_ID });
    assert.equal(recorder.headers['x-internal-error-code'], '404', recorder.text);
  });

  it('both tenant headers, duplicates and bad values are refused with 400 before any lookup', async () => {
    const before = finds.length;
    const cases: Record<string, string | string[]>[] = [
      { 'X-Tenant-Id': SUBSCRIBER_TENANT_ID, 'X-Tenant-Subdomain': 'subscriber' },
      { 'X-Fragment-Name': ['a', 'b'] },
      { 'X-Fragment-Name': 'a/../b' },
      { 'X-Fragment-Optional': 'yes', 'X-Fragment-Name': 'a' },
      { 'X-Fragment-Optional': 'true' },
      { 'X-Fragment-Optional': 'true', 'X-Fragment-Name': 'a,b' },
      { 'X-Destination-Name': '../x' },
    ];
    for (const headers of cases) {
      const answer = await get('/recorder/x', headers);
      assert.equal(answer.status, 400, JSON.stringify(headers));
      assert.ok(answer.headers['x-error-message'], JSON.stringify(headers));
    }
    assert.equal(finds.length, before);
  });

  it('headers a forward cannot honour are refused with 501 and the reason, not dropped', async () => {
    for (const [header, reason] of [
      ['X-Chain-Name', /chains/],
      ['X-Chain-Var-subjectToken', /chains/],
      ['X-Client-Assertion', /client assertions/],
      ['X-Client-Assertion-Type', /client assertions/],
      ['X-Client-Assertion-Destination-Name', /client assertions/],
      ['X-Fragment-Level', /X-Fragment-Level/],
    ] as const) {
      const answer = await get('/recorder/x', { [header]: 'value' });
      assert.equal(answer.status, 501, header);
      const body = answer.json<{ error: { code: string; message: string } }>();
      assert.equal(body.error.code, 'BTP_UNSUPPORTED', header);
      assert.match(body.error.message, reason, header);
    }
  });

  it('token inputs go to find-destination and never upstream', async () => {
    const inputs = {
      'X-Subject-Token': 'subject-token-value',
      'X-Subject-Token-Type': 'urn:ietf:params:oauth:token-type:jwt',
      'X-Actor-Token': 'actor-token-value',
      'X-Actor-Token-Type': 'urn:ietf:params:oauth:token-type:jwt',
      'X-Refresh-Token': 'refresh-token-value',
      'X-Code': 'code-value',
      'X-Redirect-Uri': 'http://localhost/callback',
      'X-Code-Verifier': 'verifier-value',
      'X-Token-Service-Tenant': 'subscriber',
    };
    assert.equal((await get('/x', { 'X-Destination-Name': 'recorder', ...inputs })).status, 200);
    assert.deepEqual(finds.at(-1)?.options, {
      subjectToken: 'subject-token-value',
      subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      actorToken: 'actor-token-value',
      actorTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      refreshToken: 'refresh-token-value',
      code: 'code-value',
      redirectUri: 'http://localhost/callback',
      codeVerifier: 'verifier-value',
      tenant: 'subscriber',
    });
    const seen = lastSeen(upstream);
    for (const name of Object.keys(inputs)) assert.equal(seen?.headers[name.toLowerCase()], undefined, name);
    assert.doesNotMatch(JSON.stringify(seen?.headers), /token-value|code-value|verifier-value/);
  });

  it('no header of the contract reaches the upstream, also through a forward of one destination', async () => {
    const contract = {
      'X-Destination-Name': 'recorder',
      'X-Fragment-Name': 'elsewhere',
      'X-Fragment-Optional': 'true',
      'X-Tenant-Id': 'x',
      'X-Token-Service-Tenant': 't',
      'X-Refresh-Token': 'r',
      'X-Chain-Name': 'c',
      'X-Client-Assertion': 'a',
    };
    const before = upstream.requests.length;
    assert.equal((await get('/x', contract, single)).status, 200);
    assert.equal(upstream.requests.length, before + 1);
    for (const name of Object.keys(contract)) assert.equal(lastSeen(upstream)?.headers[name.toLowerCase()], undefined, name);
  });

  it('Authorization from the client is consumed, never forwarded (the user comes from the signed-in session)', async () => {
    await get('/x', { 'X-Destination-Name': 'recorder', Authorization: 'Bearer user-jwt' });
    assert.equal(lastSeen(upstream)?.headers.authorization, undefined);
  });
});
