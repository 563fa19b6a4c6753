// AC-09…AC-16 of docs/security.md: what a forward does with malformed, oversized, slow and hostile HTTP, and
// where the credentials it injects can go. Raw bytes throughout; the recording upstream counts what got through.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request as undiciRequest } from 'undici';
import { validateDestination } from '../../src/core/destinations/validate';
import { createCertificateAuthority, issueServerCertificate } from '../../src/sandbox/pki';
import { basicToken, rawExchange, startForwardHarness, statusOf, type ForwardHarness } from '../support/forwardHarness';

const request = (lines: readonly string[], body = '') => `${lines.join('\r\n')}\r\n\r\n${body}`;

describe('AC-09: request smuggling is refused at the forward', () => {
  let h: ForwardHarness;
  let port: number;
  before(async () => {
    h = await startForwardHarness();
    h.define('api');
    port = (await h.start({ destination: 'api' })).port;
  });
  after(() => h.close());

  // Node's own regression cases (test-http-transfer-encoding-smuggling, -double-content-length, -invalid-te,
  // CVE-2022-32213/32214/32215, CVE-2023-30589, chunk-extension desync), replayed against the forward.
  const host = () => `Host: 127.0.0.1:${port}`;
  const cases: readonly (readonly [string, () => string])[] = [
    ['Content-Length and Transfer-Encoding', () => request(['POST /x HTTP/1.1', host(), 'Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\nG')],
    ['two different Content-Lengths', () => request(['POST /x HTTP/1.1', host(), 'Content-Length: 1', 'Content-Length: 2'], 'ab')],
    ['Content-Length list', () => request(['POST /x HTTP/1.1', host(), 'Content-Length: 1, 2'], 'ab')],
    ['signed Content-Length', () => request(['POST /x HTTP/1.1', host(), 'Content-Length: +2'], 'ab')],
    ['Transfer-Encoding: chunked, identity', () => request(['POST /x HTTP/1.1', host(), 'Transfer-Encoding: chunked, identity'], '0\r\n\r\n')],
    ['Transfer-Encoding: xchunked', () => request(['POST /x HTTP/1.1', host(), 'Transfer-Encoding: xchunked'], '0\r\n\r\n')],
    ['space before the colon', () => request(['POST /x HTTP/1.1', host(), 'Transfer-Encoding : chunked'], '0\r\n\r\n')],
    ['obs-fold in Transfer-Encoding', () => request(['POST /x HTTP/1.1', host(), 'Transfer-Encoding: identity', ' chunked'], '0\r\n\r\n')],
    ['CR-only line ends', () => `GET /x HTTP/1.1\r${host()}\rConnection: close\r\r`],
    ['bare LF inside a header value', () => request(['GET /x HTTP/1.1', host(), 'X-A: b\nX-Smuggled: 1'])],
    ['NUL in the request line', () => request(['GET /x\0y HTTP/1.1', host()])],
    ['HTTP/2 preface on an HTTP/1.1 port', () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ];

  for (const [name, build] of cases) {
    it(`${name}: 400 (or closed), and the upstream gets nothing`, async () => {
      await h.upstream.whenNoConnections();
      // Bytes, not connections: the forward opens one connection at start, ahead of any request, and sends nothing on it.
      const before = { requests: h.upstream.requests.length, bytes: h.upstream.bytesReceived() };
      const { text, closedByServer } = await rawExchange(port, build());
      const status = statusOf(text);
      assert.ok(status === 400 || (status === 0 && closedByServer), `${name}: ${text.slice(0, 200)}`);
      assert.deepEqual(
        { requests: h.upstream.requests.length, bytes: h.upstream.bytesReceived() },
        before,
        `${name} reached the upstream: ${JSON.stringify(h.upstream.requests.slice(before.requests))}`,
      );
    });
  }

  it('a body whose chunk framing breaks mid-way: 400, no request completes upstream, and the upstream connection is cut (never reused)', async () => {
    for (const body of ['fffffffffffffffff1\r\na\r\n0\r\n\r\n', '1;ext\nx\r\nz\r\n0\r\n\r\n', '3\r\nabc\r\nzz\r\n']) {
      const before = h.upstream.requests.length;
      const { text } = await rawExchange(port, request(['POST /x HTTP/1.1', host(), 'Transfer-Encoding: chunked'], body));
      assert.equal(statusOf(text), 400, text.slice(0, 100));
      await h.upstream.whenNoConnections();
      assert.equal(h.upstream.requests.length, before, JSON.stringify(body));
    }
  });

  it("no code of ours turns on Node's lenient parser", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && readFileSync(path, 'utf8').includes('insecureHTTPParser')) offenders.push(path);
      }
    };
    walk(join(import.meta.dirname, '../../src'));
    assert.deepEqual(offenders, []);
  });
});

describe('AC-10: line breaks in stored values never become headers', () => {
  it('the validator refuses CR, LF and NUL in headers, user, password, location ID and URL, naming the field', () => {
    const base = {
      Name: 'd',
      Type: 'HTTP',
      URL: 'https://api.example',
      ProxyType: 'Internet',
      Authentication: 'BasicAuthentication',
      User: 'u',
      Password: 'p',
    };
    for (const [field, value] of [
      ['URL.headers.X-Test', 'a\r\nX-Evil: 1'],
      ['User', 'u\nX-Evil: 1'],
      ['Password', 'p\r\n'],
      ['CloudConnectorLocationId', 'loc\r\nX'],
      ['URL', 'https://api.example/\r\nX-Evil: 1'],
      ['sap-client', '100\0'],
    ] as const) {
      const issues = validateDestination({ ...base, [field]: value }).filter((issue) => issue.severity === 'error');
      assert.ok(
        issues.some((issue) => issue.field === field),
        `${field}: ${JSON.stringify(issues)}`,
      );
    }
  });

  it('a stored value with CRLF anyway (written by another tool): 502 with a message that echoes none of it, nothing sent', async () => {
    const h = await startForwardHarness();
    try {
      h.define('bad-header', { 'URL.headers.X-Test': 'a\r\nX-Evil: CANARY-crlf-1' });
      h.define('bad-token', {}, [{ type: 'Bearer', value: 'x', http_header: { key: 'Authorization', value: 'Bearer x\r\nX-Evil: CANARY-crlf-2' } }]);
      for (const name of ['bad-header', 'bad-token']) {
        const info = await h.start({ destination: name, allowWebSocket: true });
        const { text } = await rawExchange(info.port, request(['GET /x HTTP/1.1', `Host: 127.0.0.1:${info.port}`, 'Connection: close']));
        assert.equal(statusOf(text), 502, text);
        assert.doesNotMatch(text, /CANARY|X-Evil/i);
        const upgrade = await rawExchange(
          info.port,
          request([
            'GET /ws HTTP/1.1',
            `Host: 127.0.0.1:${info.port}`,
            'Upgrade: websocket',
            'Connection: Upgrade',
            'Sec-WebSocket-Version: 13',
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          ]),
        );
        assert.equal(statusOf(upgrade.text), 502, upgrade.text);
        assert.equal(upgrade.closedByServer, true, 'the forward closed the refused upgrade');
        assert.doesNotMatch(upgrade.text, /CANARY|X-Evil/i);
      }
      assert.equal(h.upstream.requests.length, 0);
      assert.equal(h.upstream.bytesReceived(), 0, 'not even the WebSocket path wrote to the upstream');
      assert.ok(!h.logLines.join('\n').includes('CANARY'), 'the log does not echo the value');
    } finally {
      await h.close();
    }
  });
});

describe('AC-11: oversized requests', () => {
  let h: ForwardHarness;
  let port: number;
  before(async () => {
    h = await startForwardHarness();
    h.define('api');
    port = (await h.start({ destination: 'api' })).port;
  });
  after(() => h.close());

  it('17 KB of headers, a 64 KB request line and 10,000 headers get 431, and the forward keeps serving at once', async () => {
    const host = `Host: 127.0.0.1:${port}`;
    const oversized = [
      request(['GET /x HTTP/1.1', host, `X-Big: ${'a'.repeat(17 * 1024)}`]),
      request([`GET /${'a'.repeat(64 * 1024)} HTTP/1.1`, host]),
      request(['GET /x HTTP/1.1', host, ...Array.from({ length: 10_000 }, (_, index) => `X-${index}: 1`)]),
    ];
    for (const text of oversized) {
      const answer = await rawExchange(port, text);
      assert.equal(statusOf(answer.text), 431, answer.text.slice(0, 100));
    }
    assert.equal(h.upstream.requests.length, 0);
    const started = performance.now();
    const ok = await undiciRequest(`http://127.0.0.1:${port}/after`);
    await ok.body.dump();
    assert.equal(ok.statusCode, 200);
    assert.ok(performance.now() - started < 1_000);
  });
});

describe('AC-12: slow clients', () => {
  // Node checks headersTimeout only when it sweeps its connections, every 30 s by default; the forward sweeps every
  // second at most. Whether the sweep runs is what the bound tells apart, with room for a busy machine: a cut comes
  // about 1.6 s after the drip starts here (1 s timeout, 0.5 s sweep), 1.8 s with both cores busy; the bound is 20 s.
  const nodeSweepMs = 30_000;
  const cutBoundMs = 20_000;

  it("a client dripping its headers gets 408 after headersTimeout, long before Node's 30 s sweep; 500 of them do not delay a normal request", async (t) => {
    const headersMs = 1_000;
    const h = await startForwardHarness({ timeouts: { headersMs } });
    // A second forward with the default headersTimeout (20 s): its 500 slow clients are all still connected when the
    // normal request is answered, so that answer cannot have waited for them to be cut.
    const busy = await startForwardHarness();
    const sockets: Socket[] = [];
    try {
      h.define('api');
      busy.define('api');
      const { port } = await h.start({ destination: 'api' });
      const busyForward = await busy.start({ destination: 'api' });
      // One slowloris client: 1 byte every 200 ms (the drip is the fault under test, not a wait).
      const started = performance.now();
      const cut = new Promise<{ ms: number; answer: string }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        const bytes = Buffer.from(`GET /slow HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Pad: ${'a'.repeat(200)}`);
        let index = 0;
        const drip = setInterval(() => {
          if (index < bytes.length && socket.writable) socket.write(bytes.subarray(index, ++index));
        }, 200);
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ ms: performance.now() - started, answer });
        });
      });
      // 500 more at the other forward, each with an unfinished request, held open.
      let heldClosed = 0;
      for (let index = 0; index < 500; index++) {
        const socket = connect(busyForward.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('close', () => heldClosed++);
        socket.write(`GET /held-${index} HTTP/1.1\r\nHost: 127.0.0.1:${busyForward.port}\r\n`);
        sockets.push(socket);
      }
      const normalStarted = performance.now();
      const normal = await undiciRequest(`http://127.0.0.1:${busyForward.port}/normal`);
      await normal.body.dump();
      const normalMs = performance.now() - normalStarted;
      assert.equal(normal.statusCode, 200);
      assert.equal(heldClosed, 0, 'answered while all 500 slow clients still held their connections');
      const slow = await cut;
      t.diagnostic(
        `normal request next to 500 slow clients: ${normalMs.toFixed(0)} ms; the slowloris client cut after ${slow.ms.toFixed(0)} ms (headersTimeout ${headersMs} ms)`,
      );
      assert.equal(statusOf(slow.answer), 408, slow.answer);
      assert.ok(slow.ms >= headersMs, `the slow client was cut after ${slow.ms.toFixed(0)} ms, before its ${headersMs} ms`);
      assert.ok(slow.ms < cutBoundMs && cutBoundMs < nodeSweepMs, `the slow client was cut after ${slow.ms.toFixed(0)} ms`);
      const reached = [...h.upstream.requests, ...busy.upstream.requests].filter((seen) => seen.url.includes('slow') || seen.url.includes('held'));
      assert.equal(reached.length, 0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await Promise.all([h.close(), busy.close()]);
    }
  });
});

describe('AC-14: client headers cannot spoof credentials or routing; cookies only on request', () => {
  it('canary values in auth, routing and cookie headers never reach the upstream; Set-Cookie does not come back', async () => {
    const h = await startForwardHarness({
      responder: (_req, res) => {
        res.writeHead(200, { 'set-cookie': 'SAP_SESSIONID=CANARY-session; Path=/', 'content-type': 'text/plain' });
        res.end('ok');
      },
    });
    try {
      h.define('api', { CloudConnectorLocationId: '' }, [basicToken('configured', 'secret')]);
      h.define('session', {}, [basicToken('configured', 'secret')]);
      const plain = await h.start({ destination: 'api' });
      const sessions = await h.start({ destination: 'session', passCookies: true });
      const spoof = [
        'Authorization: Basic Q0FOQVJZOkNBTkFSWQ==',
        'Proxy-Authorization: Bearer CANARY',
        'SAP-Connectivity-Authentication: Bearer CANARY',
        'SAP-Connectivity-SCC-Location_ID: CANARY',
        'X-Forwarded-For: CANARY',
        'X-Forwarded-Host: CANARY',
        'Cookie: JSESSIONID=CANARY',
        'Keep-Alive: CANARY',
        'TE: trailers',
        'Trailer: CANARY',
        'Proxy-Connection: CANARY',
        'Connection: close, x-canary',
        'X-Canary: CANARY',
      ];
      const answer = await rawExchange(plain.port, request(['GET /x HTTP/1.1', `Host: 127.0.0.1:${plain.port}`, ...spoof]));
      assert.equal(statusOf(answer.text), 200);
      assert.doesNotMatch(answer.text, /set-cookie/i);
      const seen = h.upstream.requests.at(-1);
      assert.ok(seen);
      assert.ok(!JSON.stringify(seen.headers).includes('CANARY'), JSON.stringify(seen.headers));
      assert.equal(seen.headers.authorization, `Basic ${Buffer.from('configured:secret').toString('base64')}`);
      assert.equal(seen.headers['sap-connectivity-scc-location_id'], undefined, 'an empty location ID is no header');

      const withCookies = await rawExchange(
        sessions.port,
        request(['GET /x HTTP/1.1', `Host: 127.0.0.1:${sessions.port}`, 'Cookie: JSESSIONID=mine', 'Connection: close']),
      );
      assert.match(withCookies.text, /set-cookie: SAP_SESSIONID=CANARY-session/i);
      assert.equal(h.upstream.requests.at(-1)?.headers.cookie, 'JSESSIONID=mine');
    } finally {
      await h.close();
    }
  });
});

describe('AC-15: credentials never follow a redirect to another origin', () => {
  it('a 302 to another origin goes back to the client unchanged; that origin receives nothing from the forward', async () => {
    const other = await startForwardHarness();
    const h = await startForwardHarness({
      responder: (_req, res) => {
        res.writeHead(302, { location: `${other.upstream.url}/steal` });
        res.end();
      },
    });
    try {
      h.define('api', {}, [basicToken('configured', 'secret')]);
      const info = await h.start({ destination: 'api' });
      const response = await undiciRequest(`${info.localAddress}/x`);
      await response.body.dump();
      assert.equal(response.statusCode, 302);
      assert.equal(response.headers.location, `${other.upstream.url}/steal`);
      assert.equal(h.upstream.requests.at(-1)?.headers.authorization, `Basic ${Buffer.from('configured:secret').toString('base64')}`);
      assert.equal(other.upstream.connections(), 0, 'the other origin was never contacted');
    } finally {
      await h.close();
      await other.close();
    }
  });
});

describe('AC-16: TLS is verified unless the destination says TrustAll', () => {
  it('a certificate from an unknown CA gets 502 naming the certificate; TrustAll works and is warned about once', async () => {
    const ca = createCertificateAuthority({ commonName: 'Untrusted Test CA' });
    const leaf = issueServerCertificate(ca, { commonName: '127.0.0.1', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const server = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('secret data'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = await startForwardHarness();
    try {
      h.define('verified', { URL: origin }, [basicToken('u', 'CANARY-tls')]);
      h.define('trusting', { URL: origin, TrustAll: 'true' });
      const verified = await h.start({ destination: 'verified' });
      const refused = await undiciRequest(`${verified.localAddress}/x`);
      const body = await refused.body.text();
      assert.equal(refused.statusCode, 502);
      assert.match(body, /certificate/i);
      assert.doesNotMatch(body, /CANARY/);
      const trusting = await h.start({ destination: 'trusting' });
      for (let index = 0; index < 3; index++) {
        const ok = await undiciRequest(`${trusting.localAddress}/x`);
        assert.equal(await ok.body.text(), 'secret data');
      }
      assert.equal(h.logLines.filter((line) => line.includes('TrustAll')).length, 1, h.logLines.join('\n'));
    } finally {
      await h.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
