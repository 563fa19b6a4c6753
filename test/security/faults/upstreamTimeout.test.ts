import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { FaultProxy } from '../../support/faultProxy';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { forwardServer, memoryDestinations, trackConnections, withTimeout } from './support';

// AC-18: a slow upstream (latency, or a head that drips in) gets the client a 504 within the forward's upstream
// timeout, and nothing is retried behind the client's back: a POST reaches the upstream exactly once.
//   client → HTTP forward (upstreamMs) → fault proxy (latency / drip) → recording upstream

const upstreamMs = 800;
/**
 * undici runs its headers timeout on "fast timers" that tick every 499 ms (lib/util/timers.js): a timer starts at
 * the previous tick's clock, so a timeout of T fires anywhere from about T − 0.5 s to T + 0.5 s (later under load).
 * What must already hold is bounded by that window; the acceptance bound (the 504 test) is T plus slack.
 */
const undiciTickMs = 500;
const slackMs = 250;

let upstream: RecordingServer;
let proxy: FaultProxy;
let manager: ForwardManager;
let forward: ForwardInfo;
let tracker: ReturnType<typeof trackConnections>;
const destinations = memoryDestinations();

before(async () => {
  upstream = await startRecordingServer();
  manager = new ForwardManager({ client: destinations.client, timeouts: { upstreamMs } });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
});
beforeEach(async () => {
  proxy = await FaultProxy.start({ port: upstream.port });
  destinations.define({ Name: 'slow', Type: 'HTTP', URL: `http://127.0.0.1:${proxy.port}/base`, ProxyType: 'Internet', Authentication: 'NoAuthentication' });
  forward = await manager.start({ destination: 'slow' });
  tracker = trackConnections(forwardServer(manager, forward.id));
});
afterEach(async () => {
  assert.equal(await tracker.settled(), 0, 'forward connections left open');
  await manager.stop(forward.id);
  // Latency holds the proxy's half of a dropped connection until the delayed bytes are due: close() ends it.
  await proxy.close();
});

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

function send(method: 'GET' | 'POST', path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) };
    const req = httpRequest({ host: '127.0.0.1', port: forward.port, method, path, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function requestsTo(path: string): number {
  return upstream.requests.filter((request) => request.url === `/base${path}`).length;
}

/** What must already hold: an error answer, not a hang; no retry; bounded by the timeout plus undici's tick. */
function assertGaveUp(answer: Answer, what: string): void {
  assert.ok(answer.status >= 500, `${what}: status ${answer.status}`);
  assert.ok(answer.ms >= upstreamMs - undiciTickMs - 50, `${what}: gave up after ${answer.ms} ms, long before the timeout`);
  assert.ok(answer.ms < upstreamMs + 2 * undiciTickMs + slackMs, `${what}: took ${answer.ms} ms`);
  const error = (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
  assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
}

describe('HTTP forward: slow upstream', () => {
  it('latency: the client gets an error answer in bounded time, and a POST reaches the upstream exactly once', async () => {
    proxy.latency = { ms: 3_000, per: 'chunk', only: 'down' };
    const post = await withTimeout(send('POST', '/orders', 'order #1'), 5_000, 'POST hung');
    assertGaveUp(post, 'POST');
    assert.equal(requestsTo('/orders'), 1, 'the POST was sent again');
    // A second upstream connection would be a retry on another socket.
    assert.equal(proxy.stats.connections, 1);
    const getAnswer = await withTimeout(send('GET', '/items'), 5_000, 'GET hung');
    assertGaveUp(getAnswer, 'GET');
  });

  it('slow drip of the response head: error answer in bounded time, upstream asked once', async () => {
    proxy.drip = { bytes: 1, intervalMs: 100, only: 'down' };
    const answer = await withTimeout(send('GET', '/dripping'), 5_000, 'GET hung');
    assertGaveUp(answer, 'GET');
    assert.equal(requestsTo('/dripping'), 1);
    assert.ok(proxy.stats.bytes.down > 0, 'premise: the head was dripping in when the forward gave up');
  });

  it('recovers: with the fault gone the same forward answers 200 at once', async () => {
    proxy.latency = { ms: 3_000, per: 'chunk', only: 'down' };
    assertGaveUp(await send('GET', '/first'), 'GET');
    proxy.latency = undefined;
    const answer = await send('GET', '/second');
    assert.equal(answer.status, 200);
    assert.ok(answer.ms < upstreamMs);
  });

  it('AC-18: the slow upstream is answered with 504 (Gateway Timeout) within the configured timeout', async () => {
    proxy.latency = { ms: 3_000, per: 'chunk', only: 'down' };
    const post = await send('POST', '/late', 'x');
    assert.equal(post.status, 504, post.body);
    assert.ok(post.ms > upstreamMs - slackMs && post.ms < upstreamMs + slackMs, `504 after ${post.ms} ms, timeout ${upstreamMs} ms`);
    assert.equal(requestsTo('/late'), 1);
  });
});
