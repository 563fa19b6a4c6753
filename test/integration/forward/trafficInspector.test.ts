import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { toCurl, toHar, toHttpFile } from '../../../src/core/inspect/exportFormats';
import { MASK } from '../../../src/core/inspect/mask';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS } from '../../../src/core/forward/router';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { noPosixShell } from '../../support/platform';

// The traffic inspector on real forwards: what it records, what it never holds (credentials of the destination,
// the client's cookies and tokens), its bounds, and exports that replay through the forward.

const execFileAsync = promisify(execFile);
const password = 'inspector-password-1';
const basic = Buffer.from(`inspector:${password}`).toString('base64');
const secrets = [password, basic, encodeURIComponent(password), 'client-canary-token-1'];

let f: SandboxFixture;
let manager: ForwardManager;
let upstream: RecordingServer;
let forward: ForwardInfo;
const download = Buffer.alloc(1024 * 1024, 'd');

before(async () => {
  f = await startSandboxFixture();
  manager = new ForwardManager({ client: f.client });
  upstream = await startRecordingServer((req, res, body) => {
    if (req.url?.startsWith('/base/download')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': download.length });
      res.end(download);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'SESSION=upstream-session-1' });
    res.end(JSON.stringify({ url: req.url, bodyBytes: body.length, access_token: 'upstream-token-canary-1' }));
  });
  await f.client.create('subaccount', {
    Name: 'inspected',
    Type: 'HTTP',
    URL: `${upstream.url}/base`,
    ProxyType: 'Internet',
    Authentication: 'BasicAuthentication',
    User: 'inspector',
    Password: password,
  });
  forward = await manager.start({ destination: 'inspected' });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
  await f.close();
});

function entriesOf(info: ForwardInfo) {
  return (manager as unknown as { entries: Map<string, { traffic?: { all(): readonly unknown[] } }> }).entries.get(info.id)?.traffic;
}

function assertNoSecret(text: string, where: string) {
  for (const secret of [...secrets, 'upstream-token-canary-1', 'upstream-session-1']) assert.equal(text.includes(secret), false, `${where} holds ${secret}`);
}

describe('traffic inspector', () => {
  it('records nothing while closed', async () => {
    const answer = await request(`${forward.localAddress}/closed`);
    await answer.body.dump();
    assert.equal(entriesOf(forward), undefined);
  });

  it('records method, path, status, duration, sizes and masked headers of each exchange; no bodies by default', async () => {
    const log = manager.inspect(forward.id);
    const added: string[] = [];
    log.onDidAdd((summary) => added.push(summary.path));
    const answer = await request(`${forward.localAddress}/items?access_token=client-canary-token-1&top=2`, {
      headers: { authorization: 'Bearer client-canary-token-1', cookie: 'c=client-canary-token-1', accept: 'application/json' },
    });
    const text = await answer.body.text();
    assert.equal(answer.statusCode, 200);
    const [summary] = log.list();
    assert.ok(summary);
    assert.deepEqual(added, [summary.path]);
    assert.equal(summary.method, 'GET');
    assert.equal(summary.path, `/items?access_token=${MASK}&top=2`);
    assert.equal(summary.status, 200);
    assert.ok(summary.durationMs > 0);
    assert.ok(summary.bytesOut > text.length, 'bytes to the client, head included');
    const entry = log.get(summary.id);
    assert.ok(entry);
    assert.deepEqual(
      entry.requestHeaders.find(([name]) => name === 'authorization'),
      ['authorization', `Bearer ${MASK}`],
    );
    assert.deepEqual(
      entry.requestHeaders.find(([name]) => name === 'accept'),
      ['accept', 'application/json'],
    );
    assert.deepEqual(
      entry.upstreamHeaders?.find(([name]) => name === 'authorization'),
      ['authorization', `Basic ${MASK}`],
      'the injected credential shows as injected',
    );
    assert.equal(entry.upstreamUrl, `${upstream.url}/base/items?access_token=${MASK}&top=2`);
    assert.deepEqual(
      entry.responseHeaders?.find(([name]) => name === 'set-cookie'),
      ['set-cookie', `SESSION=${MASK}`],
    );
    assert.equal(entry.requestBody, undefined);
    assert.equal(entry.responseBody, undefined);
    assertNoSecret(JSON.stringify(log.all()), 'the log');
  });

  it('with bodies on: keeps them masked and bounded, while the client still gets every byte', async () => {
    const log = manager.inspect(forward.id, { bodies: true });
    log.clear();
    const posted = await request(`${forward.localAddress}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice', password: 'client-canary-token-1' }),
    });
    await posted.body.dump();
    const big = await request(`${forward.localAddress}/download`);
    const received = Buffer.from(await big.body.arrayBuffer());
    assert.equal(createHash('sha256').update(received).digest('hex'), createHash('sha256').update(download).digest('hex'));
    const [login, file] = log.all();
    assert.ok(login && file);
    assert.deepEqual(JSON.parse(login.requestBody?.text ?? ''), { user: 'alice', password: MASK });
    assert.deepEqual((JSON.parse(login.responseBody?.text ?? '') as { access_token: string }).access_token, MASK);
    assert.equal(file.responseBody?.size, download.length);
    assert.equal(file.responseBody?.truncated, true);
    assert.equal(file.responseBody?.text?.length, log.bodyLimit);
    assertNoSecret(JSON.stringify(log.all()), 'the log');
    log.setBodies(false);
  });

  it('records refusals with their code, and the destination each request of a one-port forward picked', async () => {
    const log = manager.inspect(forward.id);
    log.clear();
    const refused = await request(`${forward.localAddress}/x`, { headers: { origin: 'https://evil.example' } });
    await refused.body.dump();
    assert.equal(log.list()[0]?.status, 403);
    assert.equal(log.list()[0]?.error, 'BTP_LOCAL_REQUEST_REFUSED');

    const all = await manager.start({ destination: ALL_DESTINATIONS });
    const allLog = manager.inspect(all.id);
    const routed = await request(`${all.localAddress}/inspected/via-router`);
    await routed.body.dump();
    assert.deepEqual(
      allLog.list().map((summary) => [summary.destination, summary.path]),
      [['inspected', '/via-router']],
    );
    await manager.stop(all.id);
  });

  it('exports: curl replays through the forward, .http and HAR hold the exchanges and no secret', { skip: noPosixShell }, async () => {
    const log = manager.inspect(forward.id, { bodies: true });
    log.clear();
    const posted = await request(`${forward.localAddress}/orders?top=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-trace': 'abc', authorization: 'Bearer client-canary-token-1' },
      body: "it's an order",
    });
    await posted.body.dump();
    const entry = log.all()[0];
    assert.ok(entry);
    const before = upstream.requests.length;
    const curl = toCurl(entry, forward.localAddress);
    assertNoSecret(curl, 'curl');
    const { stdout } = await execFileAsync('sh', ['-c', curl]);
    assert.match(stdout, /^HTTP\/1\.1 200 /);
    const replayed = upstream.requests[before];
    assert.equal(replayed?.url, '/base/orders?top=1');
    assert.equal(replayed?.method, 'POST');
    assert.equal(replayed?.body.toString(), "it's an order");
    assert.equal(replayed?.headers['x-trace'], 'abc');
    assert.equal(replayed?.headers.authorization, `Basic ${basic}`, 'the forward injected the credential again');

    const http = toHttpFile(log.all(), forward.localAddress);
    assert.match(http, new RegExp(`^@base = ${forward.localAddress}\\n`));
    assert.match(http, /^POST \{\{base\}\}\/orders\?top=1 HTTP\/1\.1$/m);
    assertNoSecret(http, '.http');
    const har = JSON.parse(toHar(log.all(), forward.localAddress, '0.0.0')) as {
      log: { version: string; entries: { request: { url: string; method: string; postData?: { text: string } }; response: { status: number } }[] };
    };
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.entries.length, log.size);
    assert.equal(har.log.entries[0]?.request.url, `${forward.localAddress}/orders?top=1`);
    assert.equal(har.log.entries[0]?.request.postData?.text, "it's an order");
    assertNoSecret(JSON.stringify(har), 'HAR');
  });

  it('stops recording and drops the log when closed; TCP forwards have nothing to inspect', async () => {
    manager.stopInspecting(forward.id);
    const answer = await request(`${forward.localAddress}/after`);
    await answer.body.dump();
    assert.equal(entriesOf(forward), undefined);
    await f.client.create('subaccount', { Name: 'inspected-tcp', Type: 'TCP', Address: `127.0.0.1:${upstream.port}`, ProxyType: 'Internet' });
    const tcp = await manager.start({ destination: 'inspected-tcp' });
    assert.throws(() => manager.inspect(tcp.id), /TCP forward/);
  });
});
