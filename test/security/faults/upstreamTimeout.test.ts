import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { FaultProxy } from '../../support/faultProxy';
import { startRecordingServer, type RecordingServer } from '../../support/recordingServer';
import { forwardServer, memoryDestinations, trackConnections, withTimeout } from '../../support/faultHarness';

// AC-18: a slow upstream (latency, or a head that drips in) gets the client a 504 once the forward's upstream
// timeout has passed, and nothing is retried behind the client's back: a POST reaches the upstream exactly once.
//   client → HTTP forward (upstreamMs) → fault proxy (latency / drip) → recording upstream

const upstreamMs = 800;
/**
 * The forward gives up on its own timer, and undici on its headers timeout (also `upstreamMs`). undici runs that on
 * "fast timers" that tick every 499 ms (lib/util/timers.js): a timer starts at the previous tick's clock, so it can
 * fire up to half a second early. So the 504 comes no earlier than `upstreamMs - undiciTickMs`; how much later is
 * this machine's speed, not bounded. That it is a 504 at all, and not the upstream's answer, is what shows that the
 * forward gave up: the upstream answers only after 3 s (latency) or more than 10 s (a head dripping in at 1 byte
 * per 100 ms).
 */
const undiciTickMs = 500;
/** Watchdog against a hang, not a measure: the answers come after about 0.8 s. */
const watchdogMs = 20_000;

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

/** The forward gave up: a 504 with the timeout's code, not before the timeout (less undici's tick), no stack trace. */
function assertGaveUp(answer: Answer, what: string): void {
  assert.equal(answer.status, 504, `${what}: ${answer.body}`);
  assert.ok(answer.ms >= upstreamMs - undiciTickMs, `${what}: gave up after ${answer.ms} ms, long before the ${upstreamMs} ms timeout`);
  const error = (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'BTP_TIMEOUT', what);
  assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
}

describe('HTTP forward: slow upstream', () => {
  it('latency: the client gets a 504 from the timeout, not the late answer, and a POST reaches the upstream exactly once', async () => {
    proxy.latency = { ms: 3_000, per: 'chunk', only: 'down' };
    const post = await withTimeout(send('POST', '/orders', 'order #1'), watchdogMs, 'POST hung');
    assertGaveUp(post, 'POST');
    assert.equal(requestsTo('/orders'), 1, 'the POST was sent again');
    // A second upstream connection would be a retry on another socket.
    assert.equal(proxy.stats.connections, 1);
    const getAnswer = await withTimeout(send('GET', '/items'), watchdogMs, 'GET hung');
    assertGaveUp(getAnswer, 'GET');
  });

  it('slow drip of the response head: a 504 from the timeout, upstream asked once', async () => {
    proxy.drip = { bytes: 1, intervalMs: 100, only: 'down' };
    const answer = await withTimeout(send('GET', '/dripping'), watchdogMs, 'GET hung');
    assertGaveUp(answer, 'GET');
    assert.equal(requestsTo('/dripping'), 1);
    assert.ok(proxy.stats.bytes.down > 0, 'premise: the head was dripping in when the forward gave up');
  });

  it('recovers: with the fault gone the same forward answers 200 at once', async () => {
    proxy.latency = { ms: 3_000, per: 'chunk', only: 'down' };
    assertGaveUp(await withTimeout(send('GET', '/first'), watchdogMs, 'GET hung'), 'GET');
    proxy.latency = undefined;
    const answer = await withTimeout(send('GET', '/second'), watchdogMs, 'GET hung');
    assert.equal(answer.status, 200);
    assert.ok(answer.ms < upstreamMs, `200 after ${answer.ms} ms`);
    assert.equal(requestsTo('/second'), 1);
  });

  it('AC-18: the slow upstream is answered with 504 (Gateway Timeout) when the configured timeout expires, not with its late answer', async (t) => {
    proxy.latency = { ms: 3_000, per: 'chunk', only: 'down' };
    const post = await withTimeout(send('POST', '/late', 'x'), watchdogMs, 'POST hung');
    // A 504 and not the upstream's 200: the forward gave up before the upstream's answer (3 s) arrived.
    assertGaveUp(post, 'POST');
    t.diagnostic(`504 after ${post.ms.toFixed(1)} ms (timeout ${upstreamMs} ms)`);
    assert.equal(requestsTo('/late'), 1);
  });
});
