// AC-01…AC-08 of docs/security.md: who can reach a forward. Every attack is written as raw bytes (a client
// library would fix or refuse some of them itself), and the recording upstream proves nothing was forwarded.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ForwardInfo } from '../../src/core/forward/forwardManager';
import { rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../support/forwardHarness';

let h: ForwardHarness;
let forward: ForwardInfo;
let webSocketForward: ForwardInfo;

before(async () => {
  h = await startForwardHarness();
  h.define('api');
  forward = await h.start({ destination: 'api' });
  h.define('ws-api');
  webSocketForward = await h.start({ destination: 'ws-api', allowWebSocket: true });
});
after(() => h.close());

const request = (lines: readonly string[]) => `${lines.join('\r\n')}\r\n\r\n`;

/** Sends `text` and asserts the answer's status and that the upstream received nothing meanwhile. */
async function refused(text: string, expected: number): Promise<string> {
  const before = h.upstream.requests.length;
  const { text: answer } = await rawExchange(forward.port, text);
  assert.equal(statusOf(answer), expected, `for ${JSON.stringify(text.slice(0, 120))}:\n${answer.slice(0, 300)}`);
  assert.equal(h.upstream.requests.length, before, `forwarded: ${JSON.stringify(text.slice(0, 120))}`);
  assert.doesNotMatch(answer, /access-control-allow-/i);
  return answer;
}

describe('AC-01: loopback only', () => {
  it('every forward listens on 127.0.0.1', () => {
    for (const info of [forward, webSocketForward]) assert.match(info.localAddress, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('AC-02: DNS rebinding — the Host must name this forward exactly', () => {
  const hostsRefused = (port: number) => [
    'evil.example',
    `evil.example:${port}`,
    `localhost6:${port}`,
    `localhost.evil.example:${port}`,
    `127.0.0.1.nip.io:${port}`,
    `0177.0.0.1:${port}`,
    `2130706433:${port}`,
    `127.1:${port}`,
    `LOCALHOST.:${port}`,
    `localhost.:${port}`,
    `0.0.0.0:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `127.0.0.1:${port + 1}`,
    `127.0.0.1:0${port}`,
    '127.0.0.1',
    'localhost',
    `127.0.0.1:${port}@evil.example`,
    `127.0.0.1:${port}.`,
    `127.0.0.1:${port}/`,
    `[0:0:0:0:0:0:0:1]:${port}`,
  ];
  const refusedLocally = /^\{"error":\{"code":"BTP_LOCAL_REQUEST_REFUSED"/m;

  it('refuses each bypass form with 403 and forwards nothing', async () => {
    const forms = hostsRefused(forward.port);
    assert.equal(forms.length, 20, 'docs/security.md (AC-02) counts 20 forms');
    for (const host of forms) {
      const answer = await refused(request(['GET /x HTTP/1.1', `Host: ${host}`, 'Connection: close']), 403);
      assert.match(answer, refusedLocally, host);
    }
  });

  it('refuses a request without Host (HTTP/1.0) and one with two Host headers', async () => {
    for (const text of [
      request(['GET /x HTTP/1.0']),
      request(['GET /x HTTP/1.1', `Host: 127.0.0.1:${forward.port}`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close']),
      request(['GET /x HTTP/1.1', `Host: 127.0.0.1:${forward.port}`, 'Host: evil.example', 'Connection: close']),
    ]) {
      assert.match(await refused(text, 403), refusedLocally, text);
    }
  });

  it('serves the three loopback names with the exact port, in any letter case', async () => {
    for (const host of [`127.0.0.1:${forward.port}`, `localhost:${forward.port}`, `[::1]:${forward.port}`, `LocalHost:${forward.port}`]) {
      const before = h.upstream.requests.length;
      const { text } = await rawExchange(forward.port, request(['GET /x HTTP/1.1', `Host: ${host}`, 'Connection: close']));
      assert.equal(statusOf(text), 200, host);
      assert.equal(h.upstream.requests.length, before + 1);
    }
  });
});

describe('AC-03: cross-origin requests never reach the upstream', () => {
  const host = () => `Host: 127.0.0.1:${forward.port}`;

  it('a foreign Origin gets 403 before forwarding: simple POSTs, preflights, null and IP-literal origins', async () => {
    const body = 'a=1';
    for (const origin of [
      'https://evil.example',
      'null',
      'http://192.168.1.5:8080',
      `http://127.0.0.1:${forward.port + 1}`,
      `https://127.0.0.1:${forward.port}`,
      'http://localhost',
      `http://evil.example:${forward.port}`,
    ]) {
      await refused(
        request(['POST /x HTTP/1.1', host(), `Origin: ${origin}`, 'Content-Type: text/plain', `Content-Length: ${body.length}`, 'Connection: close']).concat(
          body,
        ),
        403,
      );
      await refused(request(['OPTIONS /x HTTP/1.1', host(), `Origin: ${origin}`, 'Access-Control-Request-Method: DELETE', 'Connection: close']), 403);
    }
  });

  it('Sec-Fetch-Site: cross-site gets 403 even without an Origin', async () => {
    await refused(request(['GET /x HTTP/1.1', host(), 'Sec-Fetch-Site: cross-site', 'Connection: close']), 403);
  });

  it('its own origin passes, and no answer carries a CORS grant even when the upstream sends one', async () => {
    const cors = await startForwardHarness({
      responder: (_req, res) => {
        res.writeHead(200, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'content-type': 'text/plain' });
        res.end('ok');
      },
    });
    try {
      cors.define('cors');
      const info = await cors.start({ destination: 'cors' });
      const { text } = await rawExchange(
        info.port,
        request(['GET /x HTTP/1.1', `Host: 127.0.0.1:${info.port}`, `Origin: http://127.0.0.1:${info.port}`, 'Connection: close']),
      );
      assert.equal(statusOf(text), 200);
      assert.doesNotMatch(text, /access-control-allow-/i);
    } finally {
      await cors.close();
    }
  });
});

describe('AC-04: cross-site WebSocket hijacking', () => {
  const upgrade = (origin: string | undefined) =>
    request([
      'GET /socket HTTP/1.1',
      `Host: 127.0.0.1:${webSocketForward.port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...(origin ? [`Origin: ${origin}`] : []),
    ]);

  /** The answer's head, as soon as it is complete: an accepted upgrade is not closed by anyone. */
  const answerHead = (port: number, text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!received.includes('\r\n\r\n')) return;
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\r\n\r\n')));
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
  /** A refusal: 403 at once, and the forward closes the connection itself (no answer by silence, no hang). */
  const assertRefusedUpgrade = async (port: number, text: string, what: string) => {
    const before = h.upstream.connections();
    const { text: answer, closedByServer } = await rawExchange(port, text);
    assert.equal(statusOf(answer), 403, `${what}: ${answer.slice(0, 100)}`);
    assert.match(answer, /\r\nConnection: close\r\n/i, what);
    assert.equal(closedByServer, true, `${what}: the forward closed the connection`);
    assert.equal(h.upstream.connections(), before, `${what} reached the upstream`);
  };

  it('refuses upgrades from foreign and IP-literal origins on a forward that allows WebSockets, forwarding nothing', async () => {
    for (const origin of ['https://evil.example', 'http://192.168.1.5:8080', 'http://127.0.0.2', 'null', `http://localhost:${webSocketForward.port + 1}`]) {
      await assertRefusedUpgrade(webSocketForward.port, upgrade(origin), origin);
    }
    // The control: the same upgrade from the forward's own origin does reach the upstream (which answers it as a
    // plain request), so the refusals above are the origin check's, not a forward that refuses every upgrade.
    const before = h.upstream.connections();
    const own = await answerHead(webSocketForward.port, upgrade(`http://127.0.0.1:${webSocketForward.port}`));
    assert.match(own, /^HTTP\/1\.1 200 /, own);
    assert.equal(h.upstream.connections(), before + 1, 'the own-origin upgrade reached the upstream');
  });

  it('refuses every upgrade on a forward that does not allow WebSockets', async () => {
    const onForward = (text: string) => text.replace(`:${webSocketForward.port}`, `:${forward.port}`);
    await assertRefusedUpgrade(forward.port, onForward(upgrade(undefined)), 'no Origin');
    await assertRefusedUpgrade(forward.port, onForward(upgrade(`http://127.0.0.1:${forward.port}`)), 'its own origin');
  });
});

describe('AC-07: not an open proxy', () => {
  it('CONNECT gets 405 and the connection is closed: a request pipelined behind it is never processed', async () => {
    const before = h.upstream.requests.length;
    const { text, closedByServer } = await rawExchange(
      forward.port,
      request(['CONNECT evil.example:443 HTTP/1.1', 'Host: evil.example:443']) + request(['GET /smuggled HTTP/1.1', `Host: 127.0.0.1:${forward.port}`]),
    );
    assert.equal(statusOf(text), 405);
    assert.equal(closedByServer, true);
    assert.equal((text.match(/HTTP\/1\.1/g) ?? []).length, 1, 'one answer only');
    assert.equal(h.upstream.requests.length, before);
  });

  it('absolute-form targets get 400, whatever the Host says', async () => {
    for (const target of ['http://169.254.169.254/latest/meta-data/', `http://127.0.0.1:${forward.port}/x`, 'https://evil.example/', '*']) {
      await refused(request([`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close']), 400);
    }
  });

  it('the upstream comes only from the destination: X-Forwarded-Host and the query cannot choose it', async () => {
    const before = h.upstream.requests.length;
    const { text } = await rawExchange(
      forward.port,
      request([
        `GET /x?url=http://evil.example/&host=evil.example HTTP/1.1`,
        `Host: 127.0.0.1:${forward.port}`,
        'X-Forwarded-Host: evil.example',
        'Forwarded: host=evil.example',
        'Connection: close',
      ]),
    );
    assert.equal(statusOf(text), 200);
    const seen = h.upstream.requests[before];
    assert.ok(seen);
    assert.equal(seen.url, '/base/x?url=http://evil.example/&host=evil.example');
    assert.equal(seen.headers.host, `127.0.0.1:${h.upstream.port}`);
    assert.equal(seen.headers['x-forwarded-host'], undefined);
    assert.equal(seen.headers.forwarded, undefined);
  });
});

describe("AC-08: no escape from the destination's base path", () => {
  it('refuses dot segments in every spelling with 400', async () => {
    const paths = [
      '/..',
      '/../admin',
      '/a/../../admin',
      '/%2e%2e/admin',
      '/%2E%2E/admin',
      '/..%2fadmin',
      '/..%2Fadmin',
      '/a/%2e%2e%2f%2e%2e%2fadmin',
      '/.%2e/admin',
      '/%2e./admin',
      '/..%5cadmin',
      '/a/./b',
      '/%2e/b',
    ];
    for (const path of paths) await refused(request([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close']), 400);
  });

  it('keeps everything below the base: encoded slashes and double slashes stay inside it', async () => {
    for (const [path, expected] of [
      ['/a%2fb', '/base/a%2fb'],
      ['//double', '/base//double'],
      ['/a;b=..', '/base/a;b=..'],
      ['/...', '/base/...'],
    ] as const) {
      const before = h.upstream.requests.length;
      const { text } = await rawExchange(forward.port, request([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${forward.port}`, 'Connection: close']));
      assert.equal(statusOf(text), 200, path);
      assert.equal(h.upstream.requests[before]?.url, expected);
    }
  });
});
