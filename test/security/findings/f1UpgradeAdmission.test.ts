import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { basicToken, rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../../support/forwardHarness';
import { bodyOf, head, headersOf, startUpgradeUpstream } from '../../support/upgradeUpstream';

// F1 (outside attack test): upgrade requests bypassed the request guards. `GET /rt-basic/../ws` with upgrade
// headers answered 101 and the upstream received `/base/../ws` with the credential; any Upgrade token passed; the
// upstream's 101 head reached the client raw, Set-Cookie and CORS grants included.

let h: ForwardHarness;
let upstream: Awaited<ReturnType<typeof startUpgradeUpstream>>;
let forward: ForwardInfo;
let cookieForward: ForwardInfo;
const password = 'f1-upgrade-password';

const upgrade = (port: number, path: string, extra: readonly string[] = [], upgradeToken = 'websocket') =>
  head([
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: Upgrade',
    `Upgrade: ${upgradeToken}`,
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...extra,
  ]);

before(async () => {
  upstream = await startUpgradeUpstream([
    'Set-Cookie: SAP_SESSIONID_F1=upstream-session',
    'Access-Control-Allow-Origin: *',
    'Access-Control-Allow-Credentials: true',
    'X-Upstream: kept',
  ]);
  h = await startForwardHarness();
  h.define('ws', { URL: `http://127.0.0.1:${upstream.port}/base`, Authentication: 'BasicAuthentication' }, [basicToken('f1', password)]);
  forward = await h.start({ destination: 'ws', allowWebSocket: true });
  cookieForward = await h.start({ destination: 'ws', allowWebSocket: true, passCookies: true });
});
after(async () => {
  await h.close();
  await upstream.close();
});

/** Sends `bytes`, expects a refusal with `status` and the coded JSON body, and that the upstream saw nothing. */
async function refusedUpgrade(port: number, bytes: string, status: number, code: string): Promise<void> {
  const before = upstream.upgrades.length + upstream.requests.length;
  const { text } = await rawExchange(port, bytes);
  assert.equal(statusOf(text), status, text.slice(0, 200));
  assert.equal((JSON.parse(bodyOf(text)) as { error: { code: string } }).error.code, code);
  assert.equal(upstream.upgrades.length + upstream.requests.length, before, 'the upstream received the upgrade');
}

describe('F1 — upgrade requests pass the same admission as every other request', () => {
  it('F1 — dot segments in an upgrade get the 400 a plain request gets, and nothing reaches the upstream', async () => {
    for (const path of ['/../ws', '/a/%2e%2e/ws', '/a/..%2fws', '/.', '/a\\..\\ws']) {
      await refusedUpgrade(forward.port, upgrade(forward.port, path), 400, 'BTP_LOCAL_REQUEST_REFUSED');
      const plain = await rawExchange(forward.port, head([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close']));
      assert.equal(statusOf(plain.text), 400, `plain ${path}`);
    }
  });

  it('F1 — an upgrade with a Transfer-Encoding other than chunked is refused (framing checked for upgrades too)', async () => {
    await refusedUpgrade(forward.port, upgrade(forward.port, '/ws', ['Transfer-Encoding: xchunked']), 400, 'BTP_LOCAL_REQUEST_REFUSED');
  });

  it('F1 — only "Upgrade: websocket" passes: h2c and other tokens get 400 and reach nobody', async () => {
    for (const token of ['h2c', 'foo', 'websocket, h2c', 'TLS/1.2']) {
      await refusedUpgrade(forward.port, upgrade(forward.port, '/ws', [], token), 400, 'BTP_LOCAL_REQUEST_REFUSED');
    }
  });

  it('F1 — Sec-Fetch-Site and Origin refusals of upgrades carry the same coded body as plain requests', async () => {
    await refusedUpgrade(forward.port, upgrade(forward.port, '/ws', ['Sec-Fetch-Site: cross-site']), 403, 'BTP_LOCAL_REQUEST_REFUSED');
    await refusedUpgrade(forward.port, upgrade(forward.port, '/ws', ['Origin: https://evil.example']), 403, 'BTP_LOCAL_REQUEST_REFUSED');
  });

  it('F1 — the 101 head is filtered like every response head: no Set-Cookie, no Access-Control-*', async () => {
    const { text } = await rawExchange(forward.port, upgrade(forward.port, '/ws', [`Origin: http://127.0.0.1:${forward.port}`]), 1_000);
    assert.equal(statusOf(text), 101, text.slice(0, 200));
    const headers = headersOf(text);
    assert.equal(headers.get('set-cookie'), undefined, 'Set-Cookie reached the client with cookies off');
    assert.deepEqual(
      [...headers.keys()].filter((name) => name.startsWith('access-control-')),
      [],
    );
    assert.deepEqual(headers.get('x-upstream'), ['kept']);
    assert.equal(headers.get('upgrade')?.[0]?.toLowerCase(), 'websocket');
    assert.equal(upstream.upgrades.at(-1)?.headers.authorization, `Basic ${Buffer.from(`f1:${password}`).toString('base64')}`);
    assert.equal(upstream.upgrades.at(-1)?.url, '/base/ws');
  });

  it('F1 — with cookies passed, Set-Cookie of the 101 reaches the client, CORS grants still do not', async () => {
    const { text } = await rawExchange(cookieForward.port, upgrade(cookieForward.port, '/ws'), 1_000);
    assert.equal(statusOf(text), 101);
    const headers = headersOf(text);
    assert.deepEqual(headers.get('set-cookie'), ['SAP_SESSIONID_F1=upstream-session']);
    assert.deepEqual(
      [...headers.keys()].filter((name) => name.startsWith('access-control-')),
      [],
    );
  });

  it('F1 — frames still flow both ways after the filtered head', async () => {
    const { text } = await rawExchange(forward.port, upgrade(forward.port, '/ws').concat('frame-bytes'), 1_000);
    assert.equal(statusOf(text), 101);
    assert.equal(bodyOf(text), 'frame-bytes');
  });
});
