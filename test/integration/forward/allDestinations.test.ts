import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { createLocalToken } from '../../../src/core/forward/localToken';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { echoWithRedirect, startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';

// One port for all destinations of a connection: `/<destination>/…` or `X-Destination-Name` picks one per
// request, with the same credentials, routing and refusals as a forward of its own.

let f: SandboxFixture;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;
let upstream: RecordingServer;
let all: ForwardInfo;

before(async () => {
  f = await startSandboxFixture();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  manager = new ForwardManager({ client: f.client, connectivity });
  upstream = await startRecordingServer(echoWithRedirect('/base/redirect-same'));
  await f.client.create('subaccount', {
    Name: 'recorder',
    Type: 'HTTP',
    URL: `${upstream.url}/base`,
    ProxyType: 'Internet',
    Authentication: 'NoAuthentication',
    'URL.headers.X-Custom': 'from-destination',
  });
  all = await manager.start({ destination: ALL_DESTINATIONS });
});
after(async () => {
  await manager.dispose();
  await connectivity.close();
  await upstream.close();
  await f.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${all.localAddress}${path}`, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

type Echo = { path: string; query: Record<string, string>; headers: Record<string, string> };

describe('one port for all destinations', () => {
  it('starts without a lookup, as an HTTP forward for "*"', () => {
    assert.equal(all.destination, ALL_DESTINATIONS);
    assert.equal(all.kind, 'http');
    assert.match(all.localAddress, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('the first path segment picks the destination, and each gets its own credentials, headers and queries', async () => {
    const basic = (await get('/internet-basic/x?y=1')).json<Echo>();
    assert.equal(basic.path, '/internet-basic/x');
    assert.deepEqual(basic.query, { y: '1' });
    assert.equal(basic.headers.authorization, `Basic ${Buffer.from('demo:demo-password-1').toString('base64')}`);
    const noauth = (await get('/internet-noauth/list')).json<Echo>();
    assert.equal(noauth.headers.authorization, undefined);
    assert.equal(noauth.headers['x-api-version'], '2');
    assert.deepEqual(noauth.query, { format: 'json' });
    const bare = await get('/recorder');
    assert.equal(bare.json<{ url: string }>().url, '/base/');
    const query = await get('/recorder?q=1');
    assert.equal(query.json<{ url: string }>().url, '/base/?q=1');
  });

  it('X-Destination-Name picks the destination and leaves the path alone; the header does not travel upstream', async () => {
    const answer = (await get('/internet-basic/x', { 'X-Destination-Name': 'recorder' })).json<{ url: string; headers: Record<string, string> }>();
    assert.equal(answer.url, '/base/internet-basic/x');
    assert.equal(answer.headers['x-custom'], 'from-destination');
    assert.equal(answer.headers['x-destination-name'], undefined);
  });

  it('reaches OnPremise destinations through the connectivity proxy', async () => {
    const whoami = (await get('/onprem-erp-basic/whoami')).json<{ headers: Record<string, string> }>();
    assert.equal(whoami.headers.host, 'erp.virtual:8000');
    assert.equal(whoami.headers.authorization, `Basic ${Buffer.from('ERPUSER:erp-password-1').toString('base64')}`);
  });

  it('points same-origin redirects back at the destination below the same port', async () => {
    const response = await request(`${all.localAddress}/recorder/redirect-same`);
    await response.body.dump();
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `http://127.0.0.1:${all.port}/recorder/landing?x=1`);
  });

  it('an unknown destination gets 404 naming it, and nothing of it is kept', async () => {
    const missing = await get('/no-such-destination/x');
    assert.equal(missing.status, 404);
    assert.match(missing.json<{ error: { message: string } }>().error.message, /"no-such-destination"/);
    const router = (manager as unknown as { entries: Map<string, { listener: { options: { router: { resolvers: Map<string, unknown> } } } }> }).entries.get(
      all.id,
    )?.listener.options.router;
    assert.ok(router);
    assert.equal(router.resolvers.has('no-such-destination'), false);
    assert.equal(router.resolvers.has('internet-basic'), true);
  });

  it('refuses requests that name no destination, or something that is no name, with 400 before any lookup', async () => {
    const before = upstream.requests.length;
    for (const [path, headers, reason] of [
      ['/', {}, /first path segment/],
      ['/?x=1', {}, /first path segment/],
      ['/a%2Fb/x', {}, /no destination name/],
      ['/na me/x', {}, /no destination name/],
      ['/x', { 'X-Destination-Name': '../recorder' }, /X-Destination-Name is no destination name/],
      ['/x', { 'X-Destination-Name': 'a'.repeat(201) }, /X-Destination-Name is no destination name/],
    ] as const) {
      const answer = await get(path, headers);
      assert.equal(answer.status, 400, path);
      assert.match(answer.json<{ error: { code: string; message: string } }>().error.message, reason, path);
    }
    assert.equal(upstream.requests.length, before);
  });

  it('keeps the refusals of a forward: foreign Host and Origin, dot segments', async () => {
    const before = upstream.requests.length;
    assert.equal((await get('/recorder/x', { Origin: 'https://evil.example' })).status, 403);
    // Raw paths: a URL parser would resolve the dot segments before sending.
    for (const path of ['/recorder/../internet-basic/x', '/recorder/%2e%2e/internet-basic/x', '/../recorder/x']) {
      const status = await new Promise<number | undefined>((resolve, reject) =>
        httpGet({ host: '127.0.0.1', port: all.port, path }, (res) => resolve(res.resume().statusCode)).on('error', reject),
      );
      assert.equal(status, 400, path);
    }
    assert.equal(upstream.requests.length, before);
  });

  it('counts every request of the port on its one forward', async () => {
    const before = manager.get(all.id)?.counters.requests ?? 0;
    await get('/recorder/count');
    await get('/internet-noauth/count');
    const counters = (manager as unknown as { entries: Map<string, { counters: { requests: number } }> }).entries.get(all.id)?.counters;
    assert.equal(counters?.requests, before + 2);
  });

  it('with a local token: the token comes first, then the destination; without it 407 and no lookup', async () => {
    const token = createLocalToken();
    const guarded = new ForwardManager({ client: f.client, connectivity, localToken: token });
    try {
      const info = await guarded.start({ destination: ALL_DESTINATIONS });
      assert.equal(info.tokenRequired, true);
      const base = guarded.urlForApps(info);
      assert.equal(base, `${info.localAddress}/~${token}`);
      const answer = await request(`${base}/recorder/x`);
      assert.equal(answer.statusCode, 200);
      assert.equal(((await answer.body.json()) as { url: string }).url, '/base/x');
      const refused = await request(`${info.localAddress}/recorder/x`);
      await refused.body.dump();
      assert.equal(refused.statusCode, 407);
    } finally {
      await guarded.dispose();
    }
  });

  it('refuses to serve TCP: TCP destinations need a port each', async () => {
    await assert.rejects(manager.start({ destination: ALL_DESTINATIONS, kind: 'tcp' }), /HTTP only/);
  });
});
