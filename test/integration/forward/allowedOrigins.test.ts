import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../../src/cli/exitCodes';
import { OriginAllowList, parseAllowedOrigin } from '../../../src/core/forward/allowedOrigins';
import type { ForwardInfo } from '../../../src/core/forward/forwardManager';
import { isBtpError } from '../../../src/core/errors';
import { runCli } from '../../support/cliHarness';
import { ForwardManager } from '../../../src/core/forward/forwardManager';
import { createLogger } from '../../../src/core/log';
import { rawExchange, statusOf } from '../../support/forwardHarness';
import { bodyOf, head, startUpgradeUpstream } from '../../support/upgradeUpstream';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';

// UI5 / Fiori dev servers proxy `/sap` to a forward and pass the page's `Origin` on with every write; the forward
// refused them all (403). Dev-server origins can now be allowed, and a refusal says exactly how.

let upstream: RecordingServer;
let manager: ForwardManager;
let forward: ForwardInfo;
let webSockets: Awaited<ReturnType<typeof startUpgradeUpstream>>;
const allowed = new OriginAllowList(['http://localhost:8080', 'http://127.0.0.1:*']);
const logLines: string[] = [];

before(async () => {
  upstream = await startRecordingServer();
  webSockets = await startUpgradeUpstream();
  const destination = (url: string) =>
    ({ destinationConfiguration: { Name: 'api', Type: 'HTTP', URL: url, ProxyType: 'Internet', Authentication: 'NoAuthentication' }, authTokens: [] }) as never;
  manager = new ForwardManager({
    client: {
      find: async (name) =>
        name === 'api' ? destination(`${upstream.url}/base`) : name === 'ws' ? destination(`http://127.0.0.1:${webSockets.port}`) : undefined,
    },
    allowedOrigins: allowed,
    logger: createLogger((level, prefix, message) => logLines.push(`${level} ${prefix} ${message}`)),
  });
  forward = await manager.start({ destination: 'api', allowWebSocket: true });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
  await webSockets.close();
});

const post = (origin: string, extra: readonly string[] = []) =>
  rawExchange(
    forward.port,
    head(['POST /sap/x HTTP/1.1', `Host: 127.0.0.1:${forward.port}`, `Origin: ${origin}`, 'Content-Length: 2', 'Connection: close', ...extra]).concat('{}'),
  );

describe('dev-server origins', () => {
  it('a refused origin gets 403 whose message names the origin and the exact flag and setting; the log says it once a minute', async () => {
    const before = upstream.requests.length;
    for (let index = 0; index < 3; index++) {
      const { text } = await post('http://localhost:5173');
      assert.equal(statusOf(text), 403);
      const { error } = JSON.parse(bodyOf(text)) as { error: { code: string; message: string } };
      assert.equal(error.code, 'BTP_LOCAL_REQUEST_REFUSED');
      assert.match(error.message, /origin http:\/\/localhost:5173 .*--allow-origin http:\/\/localhost:5173 .*btpConnect\.forwards\.allowedOrigins/);
    }
    assert.equal(upstream.requests.length, before);
    const said = logLines.filter((line) => line.includes('http://localhost:5173'));
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(said[0] ?? '', /^warn .*--allow-origin http:\/\/localhost:5173/);
  });

  it('an allowed origin passes (also with the Sec-Fetch-Site its proxy passes on), and its Origin does not travel upstream', async () => {
    for (const extra of [[], ['Sec-Fetch-Site: same-origin'], ['Sec-Fetch-Site: cross-site']]) {
      const { text } = await post('http://localhost:8080', extra);
      assert.equal(statusOf(text), 200, extra.join());
      assert.equal(upstream.requests.at(-1)?.headers.origin, undefined);
    }
  });

  it('a loopback wildcard allows every port of that host and nothing else', async () => {
    assert.equal(statusOf((await post('http://127.0.0.1:4004')).text), 200);
    assert.equal(statusOf((await post('http://127.0.0.1:61000')).text), 200);
    for (const origin of ['http://localhost:4004', 'https://127.0.0.1.evil.example:4004', 'http://127.0.0.2:4004', 'http://127.0.0.1:4004.evil.example']) {
      assert.equal(statusOf((await post(origin)).text), 403, origin);
    }
  });

  it('a WebSocket upgrade from an allowed origin passes the same admission; from another it is refused', async () => {
    const ws = await manager.start({ destination: 'ws', allowWebSocket: true });
    const upgrade = (origin: string) =>
      head([
        'GET /ws HTTP/1.1',
        `Host: 127.0.0.1:${ws.port}`,
        `Origin: ${origin}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ]);
    assert.equal(statusOf((await rawExchange(ws.port, upgrade('http://localhost:8080'), 1_000)).text), 101);
    assert.equal(webSockets.upgrades.length, 1);
    assert.equal(statusOf((await rawExchange(ws.port, upgrade('http://localhost:5174'))).text), 403);
    assert.equal(webSockets.upgrades.length, 1);
  });

  it('refuses entries that are no origin or widen past loopback, naming the field and the fix', () => {
    for (const entry of [
      'http://*.example.com',
      'http://evil.example:*',
      'http://localhost:8080/app',
      'ftp://localhost:21',
      'localhost:8080',
      'http://user:pw@localhost:8080',
    ]) {
      assert.throws(
        () => parseAllowedOrigin(entry, 'allow-origin'),
        (error: unknown) =>
          isBtpError(error) && error.details === undefined && /allow-origin/.test(error.message) && (error as { field?: string }).field === 'allow-origin',
        entry,
      );
    }
    assert.deepEqual(parseAllowedOrigin('HTTP://LocalHost:8080/', 'x'), { origin: 'http://localhost:8080', anyPort: false });
    assert.deepEqual(parseAllowedOrigin('http://[::1]:*', 'x'), { origin: 'http://[::1]', anyPort: true });
  });

  it('btp-connect forward refuses a bad --allow-origin before connecting, with exit code 3', async () => {
    const result = await runCli(['forward', 'api', '--allow-origin', 'http://*.evil.example', '--key', 'missing.json'], { cwd: process.cwd(), env: {} });
    assert.equal(result.code, ExitCode.InvalidInput);
    assert.match(result.stderr, /allow-origin: "http:\/\/\*\.evil\.example" has a wildcard/);
  });
});
