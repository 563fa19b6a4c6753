import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { DestinationServiceClient } from '../../../src/core/destinationService/client';
import type { FindResult } from '../../../src/core/destinationService/types';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { ALL_DESTINATIONS, DestinationRouter } from '../../../src/core/forward/router';
import { createLogger } from '../../../src/core/log';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { rawExchange, statusOf } from '../../support/forwardHarness';
import { head } from '../../support/upgradeUpstream';

// D3 (outside attack test): unknown names in one-port mode cost one find-destination call and one warning line per
// request (100k requests → 100k lookups, 46 MB of log). A 404 is remembered for a short time and the warning is
// rate-limited.

let upstream: RecordingServer;
let manager: ForwardManager;
let all: ForwardInfo;
const lookups: string[] = [];
const logLines: string[] = [];
const known = new Map<string, FindResult>();

before(async () => {
  upstream = await startRecordingServer();
  known.set('known', {
    destinationConfiguration: { Name: 'known', Type: 'HTTP', URL: `${upstream.url}/base`, ProxyType: 'Internet', Authentication: 'NoAuthentication' },
    authTokens: [],
  } as FindResult);
  const client: Pick<DestinationServiceClient, 'find'> = {
    find: async (name) => {
      lookups.push(name);
      return known.get(name);
    },
  };
  const logger = createLogger((level, prefix, message, args) => logLines.push(`${level} ${prefix} ${message} ${args.map(String).join(' ')}`));
  manager = new ForwardManager({ client, logger });
  all = await manager.start({ destination: ALL_DESTINATIONS });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
});

const get = (path: string) => rawExchange(all.port, head([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${all.port}`, 'Connection: close']));

describe('D3 — unknown names in one-port mode are cheap', () => {
  it('D3 — 200 requests for one unknown name cost one lookup and at most one warning, each answered 404', async () => {
    lookups.length = 0;
    logLines.length = 0;
    for (let index = 0; index < 200; index++) {
      const { text } = await get(`/no-such-destination/x${index}`);
      assert.equal(statusOf(text), 404);
      assert.match(text, /BTP_NOT_FOUND/);
    }
    assert.deepEqual(lookups, ['no-such-destination']);
    assert.ok(logLines.filter((line) => line.startsWith('warn')).length <= 1, logLines.join('\n'));
  });

  it('D3 — 200 distinct unknown names log at most a few warning lines (rate-limited), each answered 404', async () => {
    logLines.length = 0;
    for (let index = 0; index < 200; index++) assert.equal(statusOf((await get(`/unknown-${index}/x`)).text), 404);
    const warnings = logLines.filter((line) => line.startsWith('warn'));
    assert.ok(warnings.length <= 2, `${warnings.length} warning lines:\n${warnings.slice(0, 5).join('\n')}`);
  });

  it('D3 — a known destination on the same port is unaffected', async () => {
    const { text } = await get('/known/ok');
    assert.equal(statusOf(text), 200);
    assert.equal(upstream.requests.at(-1)?.url, '/base/ok');
  });

  it('D3 — the negative entry expires: a destination created after a 404 is found once its time is up', async () => {
    let now = 1_000_000;
    const calls: string[] = [];
    const names = new Map<string, FindResult>();
    const router = new DestinationRouter({ client: { find: async (name) => (calls.push(name), names.get(name)) }, now: () => now });
    const request = () => ({ url: '/later/x', headers: {} }) as unknown as IncomingMessage;
    const first = router.pick(request());
    assert.ok(first.ok);
    assert.equal(
      await first.resolver.get().then(
        () => 'found',
        (error: { code?: string }) => error.code,
      ),
      'BTP_NOT_FOUND',
    );
    router.notFound('later');
    const cached = router.pick(request());
    assert.equal(cached.ok, false);
    assert.equal(!cached.ok && cached.status, 404);
    names.set('later', known.get('known') as FindResult);
    now += router.notFoundMs + 1;
    const again = router.pick(request());
    assert.ok(again.ok, 'still refused after the negative entry expired');
    await again.resolver.get();
    assert.deepEqual(calls, ['later', 'later']);
  });
});
