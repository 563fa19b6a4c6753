import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { toCurl, toHar, toHttpFile } from '../../../src/core/inspect/exportFormats';
import type { TrafficLog } from '../../../src/core/inspect/trafficLog';
import { rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../../support/forwardHarness';
import { head, headersOf } from '../../support/upgradeUpstream';

// F3 (outside attack test): values a destination injects through `URL.queries.*` / `URL.headers.*` leaked —
// (a) a trailing-slash redirect that keeps the query came back to the client with `apikey=S`; (b) `--har` wrote the
// upstream URL with the query secret into the entry's comment and the raw Location; (c) the inspector showed an
// injected `X-Api-Key` in clear, because masking went by header name only.

const querySecret = 'f3-query-secret-4d1c9a';
const headerSecret = 'f3-header-secret-77be02';
const canaries = [querySecret, headerSecret, encodeURIComponent(querySecret)];

let h: ForwardHarness;
let forward: ForwardInfo;
let log: TrafficLog;

before(async () => {
  h = await startForwardHarness({
    responder: (req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/base/dir?') || url === '/base/dir') return void res.writeHead(301, { location: `/base/dir/?${url.split('?')[1] ?? ''}` }).end();
      if (url.startsWith('/base/away')) return void res.writeHead(302, { location: `https://elsewhere.example/callback?apikey=${querySecret}&state=1` }).end();
      if (url.startsWith('/base/echo'))
        return void res.writeHead(200, { 'x-echo': `seen ${req.headers['x-api-key'] as string}`, 'content-type': 'text/plain' }).end('echo');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    },
  });
  h.define('keyed', { 'URL.queries.apikey': querySecret, 'URL.headers.X-Api-Key': headerSecret, 'URL.headers.Accept-Language': 'de', 'sap-client': '100' });
  forward = await h.start({ destination: 'keyed' });
  log = h.manager.inspect(forward.id);
});
after(() => h.close());

const get = (path: string) => rawExchange(forward.port, head([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close']));

function assertNoCanary(text: string, where: string): void {
  for (const canary of canaries) assert.ok(!text.includes(canary), `${where} holds an injected value: ${text.slice(0, 300)}`);
}

describe('F3 — values the forward injects never come back out', () => {
  it('F3 — (a) a same-origin redirect that keeps the query comes back without the injected parameter', async () => {
    const { text } = await get('/dir?x=1');
    assert.equal(statusOf(text), 301);
    assert.equal(h.upstream.requests.at(-1)?.url, `/base/dir?x=1&apikey=${querySecret}`, 'the upstream got the injected query');
    assert.deepEqual(headersOf(text).get('location'), [`http://127.0.0.1:${forward.port}/dir/?x=1`]);
    assertNoCanary(text, 'the answer');
  });

  it('F3 — (a) a redirect to another origin that carries an injected value loses that parameter', async () => {
    const { text } = await get('/away');
    assert.equal(statusOf(text), 302);
    assert.deepEqual(headersOf(text).get('location'), ['https://elsewhere.example/callback?state=1']);
  });

  it('F3 — an upstream that echoes an injected header value back gets it masked in the answer', async () => {
    const { text } = await get('/echo');
    assert.equal(statusOf(text), 200);
    assert.equal(h.upstream.requests.at(-1)?.headers['x-api-key'], headerSecret);
    assertNoCanary(text, 'the answer');
    assert.match(headersOf(text).get('x-echo')?.[0] ?? '', /^seen \*+$/);
  });

  it('F3 — (b) and (c) the inspector, HAR, curl and .http exports and the log hold no injected value; public ones stay readable', async () => {
    await get('/dir?x=2');
    await get('/plain');
    const entries = log.all();
    assert.ok(entries.length >= 2);
    const base = `http://127.0.0.1:${forward.port}`;
    assertNoCanary(JSON.stringify(entries), 'the traffic log');
    assertNoCanary(toHar(entries, base, 'test'), 'the HAR export');
    assertNoCanary(toHttpFile(entries, base), 'the .http export');
    for (const entry of entries) assertNoCanary(toCurl(entry, base), 'a curl command');
    const plain = entries.find((entry) => entry.path === '/plain');
    assert.ok(plain?.upstreamHeaders, 'the plain request was recorded with its upstream headers');
    const upstreamHeaders = new Map(plain.upstreamHeaders);
    assert.equal(upstreamHeaders.get('x-api-key'), '******');
    assert.equal(upstreamHeaders.get('accept-language'), 'de', 'a public injected header stays readable');
    assert.equal(upstreamHeaders.get('sap-client'), '100', 'sap-client stays readable');
    assertNoCanary(h.logLines.join('\n'), 'the log');
  });
});
