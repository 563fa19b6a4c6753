import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { decodeClaims, startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';

// HTTP forwards to Internet destinations of the sandbox: what reaches the upstream, and what never does.

let f: SandboxFixture;
let manager: ForwardManager;
let upstream: RecordingServer;
const noAuth = (name: string, url: string, extra: Record<string, string> = {}) => ({
  Name: name,
  Type: 'HTTP',
  URL: url,
  ProxyType: 'Internet',
  Authentication: 'NoAuthentication',
  ...extra,
});

before(async () => {
  f = await startSandboxFixture();
  manager = new ForwardManager({ client: f.client });
  upstream = await startRecordingServer((req, res): void => {
    if (req.url?.startsWith('/base/redirect-same')) {
      res.writeHead(302, { location: `${upstream.url}/base/landing?x=1` });
      res.end();
      return;
    }
    if (req.url?.startsWith('/base/redirect-away')) {
      res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive, x-hop', 'x-hop': 'drop-me' });
    res.end(JSON.stringify({ url: req.url }));
  });
  await f.client.create(
    'subaccount',
    noAuth('recorder', `${upstream.url}/base`, { 'URL.headers.X-Custom': 'from-destination', 'URL.queries.lang': 'EN', 'sap-client': '200' }),
  );
});
after(async () => {
  await manager.dispose();
  await upstream.close();
  await f.close();
});

async function get(info: ForwardInfo, path: string, headers: Record<string, string> = {}) {
  const response = await request(`${info.localAddress}${path}`, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('HTTP forward to Internet destinations', () => {
  it('injects Basic credentials, URL.headers, URL.queries and sap-client, on loopback only', async () => {
    const info = await manager.start({ destination: 'internet-basic' });
    assert.match(info.localAddress, /^http:\/\/127\.0\.0\.1:\d+$/);
    const echoed = (await get(info, '/x?y=1')).json() as { path: string; query: Record<string, string>; headers: Record<string, string> };
    assert.equal(echoed.path, '/internet-basic/x');
    assert.deepEqual(echoed.query, { y: '1' });
    assert.equal(echoed.headers.authorization, `Basic ${Buffer.from('demo:demo-password-1').toString('base64')}`);

    const noauth = await manager.start({ destination: 'internet-noauth' });
    const added = (await get(noauth, '/list')).json() as { query: Record<string, string>; headers: Record<string, string> };
    assert.equal(added.headers['x-api-version'], '2');
    assert.deepEqual(added.query, { format: 'json' });
  });

  it('takes credentials and routing only from the destination: client auth, proxy, SAP-Connectivity, X-Forwarded and hop-by-hop headers are dropped', async () => {
    const info = await manager.start({ destination: 'recorder' });
    const before = upstream.requests.length;
    // Raw bytes: an HTTP client library would drop or rewrite some of these headers itself.
    const answer = await rawExchange(
      info.port,
      [
        'GET /p?lang=DE HTTP/1.1',
        `Host: 127.0.0.1:${info.port}`,
        'Authorization: Basic Y2FuYXJ5OmNsaWVudA==',
        'Proxy-Authorization: Bearer canary',
        'SAP-Connectivity-SCC-Location_ID: canary',
        'SAP-Connectivity-Authentication: Bearer canary',
        'X-Forwarded-Host: canary.example',
        'X-Forwarded-For: 10.0.0.1',
        'Connection: close, x-secret-hop',
        'X-Secret-Hop: canary',
        'TE: trailers',
        'X-Custom: from-client',
        'sap-client: 300',
        '',
        '',
      ].join('\r\n'),
    );
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.doesNotMatch(answer, /x-hop/i, 'a header the upstream names in Connection is not passed back');
    const seen = upstream.requests[before];
    assert.equal(seen?.url, '/base/p?lang=DE');
    const names = Object.keys(seen?.headers ?? {});
    for (const name of [
      'authorization',
      'proxy-authorization',
      'sap-connectivity-scc-location_id',
      'sap-connectivity-authentication',
      'x-forwarded-host',
      'x-forwarded-for',
      'x-secret-hop',
      'te',
    ]) {
      assert.equal(names.includes(name), false, name);
    }
    assert.equal(seen?.headers.host, `127.0.0.1:${upstream.port}`);
    assert.equal(seen?.headers['x-custom'], 'from-client', 'URL.headers are defaults a client may set itself');
    assert.equal(seen?.headers['sap-client'], '300');
    const defaults = await get(info, '/q');
    assert.equal(defaults.status, 200);
    const withDefaults = upstream.requests.at(-1);
    assert.equal(withDefaults?.url, '/base/q?lang=EN');
    assert.equal(withDefaults?.headers['x-custom'], 'from-destination');
    assert.equal(withDefaults?.headers['sap-client'], '200');
  });

  it('refuses foreign Host and Origin, CONNECT, absolute-form and dot segments before anything is forwarded', async () => {
    const info = await manager.start({ destination: 'recorder' });
    const before = upstream.requests.length;
    for (const headers of <Record<string, string>[]>[
      { host: 'evil.example' },
      { host: `localhost6:${info.port}` },
      { host: `127.0.0.1:${info.port + 1}` },
      { origin: 'http://evil.example' },
      { origin: 'http://192.168.1.5:8080' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const response = await get(info, '/x', headers);
      assert.equal(response.status, 403, JSON.stringify(headers));
      assert.equal((response.json().error as { code: string }).code, 'BTP_LOCAL_REQUEST_REFUSED');
    }
    assert.equal((await get(info, '/x', { origin: info.localAddress })).status, 200, 'its own origin is fine');
    for (const path of ['/a/../../admin', '/a/%2e%2e/admin', '/a/..%2fadmin', '/a/..\\admin']) {
      assert.match(await rawExchange(info.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 400 /, path);
    }
    const absolute = await rawExchange(info.port, `GET http://127.0.0.1:${upstream.port}/base/x HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\n\r\n`);
    assert.match(absolute, /^HTTP\/1\.1 400 /, 'absolute-form');
    const tunnel = await rawExchange(info.port, `CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\n\r\n`);
    assert.match(tunnel, /^HTTP\/1\.1 405 /, 'CONNECT');
    assert.equal(upstream.requests.length, before + 1, 'only the own-origin request reached the upstream');
  });

  it('returns redirects instead of following them, pointing same-origin ones at the forward', async () => {
    const info = await manager.start({ destination: 'recorder' });
    const same = await request(`${info.localAddress}/redirect-same`);
    await same.body.dump();
    assert.equal(same.statusCode, 302);
    assert.equal(same.headers.location, `http://127.0.0.1:${info.port}/landing?x=1`);
    const away = await request(`${info.localAddress}/redirect-away`);
    await away.body.dump();
    assert.equal(away.headers.location, 'http://127.0.0.1:9/elsewhere');
  });

  it('streams large bodies both ways and reuses upstream connections', async () => {
    const info = await manager.start({ destination: 'internet-noauth' });
    const body = Buffer.alloc(8 * 1024 * 1024, 7);
    const uploaded = await request(`${info.localAddress}/upload`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    const echoed = (await uploaded.body.json()) as { body: { size: number; sha256: string } };
    assert.equal(echoed.body.size, body.length);
    assert.equal(echoed.body.sha256, createHash('sha256').update(body).digest('hex'));
    const download = await request(`${info.localAddress}/bytes/${16 * 1024 * 1024}`);
    let size = 0;
    for await (const chunk of download.body) size += (chunk as Buffer).length;
    assert.equal(size, 16 * 1024 * 1024);

    const recorder = await manager.start({ destination: 'recorder' });
    const connectionsBefore = upstream.connections();
    for (let index = 0; index < 20; index++) assert.equal((await get(recorder, `/k${index}`)).status, 200);
    assert.ok(upstream.connections() - connectionsBefore <= 1, `${upstream.connections() - connectionsBefore} new upstream connections for 20 requests`);
  });

  it('OAuth destinations: 50 concurrent cold requests cost one lookup and one token request', async () => {
    const backend = f.sandbox.identity.world.clientOfKind('backend').clientId;
    const tokensBefore = f.sandbox.tokenService.requestCount.get(backend) ?? 0;
    const info = await manager.start({ destination: 'internet-oauth-cc' });
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(info, '/burst')));
    const tokens = new Set(responses.map((response) => (response.json().headers as Record<string, string>).authorization));
    assert.equal(tokens.size, 1);
    assert.equal(decodeClaims(String([...tokens][0]).slice('Bearer '.length)).client_id, backend);
    assert.equal((f.sandbox.tokenService.requestCount.get(backend) ?? 0) - tokensBefore, 1);
  });

  it('on a 401 from upstream refetches the destination once and retries a GET once', async () => {
    let calls = 0;
    const picky = await startRecordingServer((req, res) => {
      calls++;
      // /always answers 401 to everything; /resource only to its first call (an expired token).
      const refuse = req.url === '/always' || calls === 1;
      res.writeHead(refuse ? 401 : 200, { 'content-type': 'text/plain' });
      res.end(refuse ? 'token expired' : `ok ${req.headers.authorization}`);
    });
    // The manager reads destinations only through `find`: count the lookups of this one.
    const lookups: string[] = [];
    const counting = new ForwardManager({ client: { find: (name, options) => (lookups.push(name), f.client.find(name, options)) } });
    try {
      await f.client.create('subaccount', { ...(await f.client.get('subaccount', 'internet-oauth-cc')).value, Name: 'picky', URL: picky.url });
      const info = await counting.start({ destination: 'picky' });
      const atStart = lookups.length;
      const response = await get(info, '/resource');
      assert.equal(response.status, 200);
      assert.equal(calls, 2, 'the 401 and one retry');
      assert.equal(lookups.length - atStart, 1, 'the 401 costs exactly one fresh lookup');
      assert.notEqual(picky.requests[0]?.headers.authorization, picky.requests[1]?.headers.authorization, 'the retry carries a fresh token');
      // Once, not until it works: a second 401 goes to the client.
      const refused = await get(info, '/always');
      assert.equal(refused.status, 401);
      assert.equal(calls, 4, 'one retry, no more');
    } finally {
      await counting.dispose();
      await picky.close();
    }
  });

  it('a POST answered 401 is not retried: the upstream sees exactly one POST and the client gets the 401', async () => {
    const expired = await startRecordingServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('token expired');
    });
    try {
      await f.client.create('subaccount', { ...(await f.client.get('subaccount', 'internet-oauth-cc')).value, Name: 'expired', URL: expired.url });
      const info = await manager.start({ destination: 'expired' });
      const post = await request(`${info.localAddress}/resource`, { method: 'POST', body: 'x' });
      assert.equal(await post.body.text(), 'token expired');
      assert.equal(post.statusCode, 401);
      // Without a body too: POST is not idempotent, whether or not there is a body to replay.
      const empty = await request(`${info.localAddress}/empty`, { method: 'POST' });
      await empty.body.dump();
      assert.equal(empty.statusCode, 401);
      assert.deepEqual(
        expired.requests.map((seen) => `${seen.method} ${seen.url} ${seen.body.toString()}`),
        ['POST /resource x', 'POST /empty '],
      );
    } finally {
      await expired.close();
    }
  });

  it('answers 502 with a JSON error when the upstream is down, and keeps serving', async () => {
    await f.client.create('subaccount', noAuth('down', 'http://127.0.0.1:9/x'));
    const info = await manager.start({ destination: 'down' });
    const response = await get(info, '/y');
    assert.equal(response.status, 502);
    const error = response.json().error as { code: string; message: string };
    assert.equal(typeof error.code, 'string');
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal((await get(info, '/y')).status, 502);
    const state = manager.get(info.id);
    assert.equal(state?.counters.errors, 2);
  });
});

function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
