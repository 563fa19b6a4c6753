// AC-18 (and AC-17 kept): a circuit breaker in front of find-destination. While the token service or the
// Destination service is down, forwards answer 503 at once instead of every request waiting for its own failing
// lookup, and the dead service sees no connection until the breaker lets one trial through.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { DestinationBinding } from '../../src/core/bindings/types';
import { DestinationServiceClient } from '../../src/core/destinationService/client';
import type { FindResult } from '../../src/core/destinationService/types';
import { BtpError, ErrorCode, isBtpError } from '../../src/core/errors';
import { CircuitBreaker, isOutage, sharedBreaker } from '../../src/core/forward/breaker';
import { ForwardManager, type ForwardInfo } from '../../src/core/forward/forwardManager';
import { DestinationResolver } from '../../src/core/forward/resolver';
import { createLogger } from '../../src/core/log';
import { FaultProxy } from '../support/faultProxy';
import { startRecordingServer, type RecordingServer } from '../support/recordingServer';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

const unreachable = () => new BtpError(ErrorCode.Unreachable, 'The Destination service at http://127.0.0.1:9 could not be reached (ECONNREFUSED).');
const fails = (error: unknown) => () => Promise.reject(error);
const answers = () => Promise.resolve('ok');

function fakeClock(start = Date.UTC(2026, 10, 26, 10, 0, 0)) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

/** Runs `call` through the breaker and returns the error it ended with (or 'ok'). */
async function outcome(breaker: CircuitBreaker, call: () => Promise<unknown>): Promise<unknown> {
  try {
    await breaker.run(call);
    return 'ok';
  } catch (error) {
    return error;
  }
}

describe('AC-18: circuit breaker state machine (fake clock)', () => {
  it('defaults like the SAP Cloud SDK: opens after 5 outages in a row, fails fast for 30 s without calling', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ now: clock.now });
    for (let index = 0; index < 4; index++) assert.ok(isBtpError(await outcome(breaker, fails(unreachable())), ErrorCode.Unreachable));
    assert.equal(breaker.state, 'closed');
    await outcome(breaker, fails(unreachable()));
    assert.equal(breaker.state, 'open');

    let calls = 0;
    const counted = () => {
      calls++;
      return Promise.resolve('ok');
    };
    clock.at += 29_999;
    const error = await outcome(breaker, counted);
    assert.ok(isBtpError(error, ErrorCode.ServiceUnavailable));
    assert.equal(calls, 0, 'an open breaker does not call');
    assert.match(error.message, /the Destination service or its token service/);
    assert.match(error.message, /5 in a row failed/);
    assert.match(error.message, /in 1 s/);
    assert.match(error.message, /ECONNREFUSED/, 'the last error says which service and why');
    assert.equal(error.details?.retryAt, new Date(clock.at + 1).toISOString());
    assert.equal(error.details?.lastCode, ErrorCode.Unreachable);

    clock.at += 1;
    assert.equal(breaker.state, 'half-open');
    assert.equal(await outcome(breaker, counted), 'ok');
    assert.equal(calls, 1);
    assert.equal(breaker.state, 'closed');
  });

  it('counts only outages: unreachable, timeouts and 5xx; 4xx answers and our own cancels reset the count', async () => {
    const outages = [
      unreachable(),
      new BtpError(ErrorCode.Timeout, 'The token service at http://x did not answer in time (UND_ERR_HEADERS_TIMEOUT).', {
        details: { code: 'UND_ERR_HEADERS_TIMEOUT' },
      }),
      new BtpError(ErrorCode.TokenFailed, 'The token service at http://x answered 503.', { status: 503 }),
      new BtpError(ErrorCode.ServiceError, 'The Destination service failed while finding destination "a" (502).', { status: 502 }),
    ];
    const answersOfAnUpService = [
      new BtpError(ErrorCode.NotFound, 'Destination "a" was not found (404).', { status: 404 }),
      new BtpError(ErrorCode.TokenRejected, 'The token service rejected client "c" (401).', { status: 401 }),
      new BtpError(ErrorCode.Unauthorized, 'The Destination service did not accept the token (401).', { status: 401 }),
      new BtpError(ErrorCode.Forbidden, 'No access (403).', { status: 403 }),
      new BtpError(ErrorCode.TokenFailed, 'The Destination service could not get a token for "a": bad secret'),
      new BtpError(ErrorCode.ServiceError, 'The Destination service answered 200 with a body that is not JSON.', { status: 200 }),
      new BtpError(ErrorCode.Timeout, 'The request was cancelled.', { details: { code: 'ABORTED' } }),
      new Error('not a BtpError'),
    ];
    for (const error of outages) assert.equal(isOutage(error), true, error.message);
    for (const error of answersOfAnUpService) assert.equal(isOutage(error), false, error.message);

    const breaker = new CircuitBreaker({ now: fakeClock().now });
    for (const other of answersOfAnUpService) {
      for (const error of outages) await outcome(breaker, fails(error));
      await outcome(breaker, fails(other));
      assert.equal(breaker.state, 'closed', `${other.message} resets the count`);
    }
    for (let index = 0; index < 20; index++) await outcome(breaker, fails(answersOfAnUpService[0]));
    assert.equal(breaker.state, 'closed', '4xx never opens it');
  });

  it('forgets an outage that came longer than the window after the previous one', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ now: clock.now, failureThreshold: 3, windowMs: 1_000 });
    await outcome(breaker, fails(unreachable()));
    await outcome(breaker, fails(unreachable()));
    clock.at += 1_001;
    await outcome(breaker, fails(unreachable()));
    await outcome(breaker, fails(unreachable()));
    assert.equal(breaker.state, 'closed');
    clock.at += 1_000;
    await outcome(breaker, fails(unreachable()));
    assert.equal(breaker.state, 'open');
  });

  it('half-open lets exactly one trial through; a failed trial opens it for another reset timeout', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const logger = createLogger((level, _prefix, message) => lines.push(`${level} ${message}`));
    const breaker = new CircuitBreaker({ now: clock.now, failureThreshold: 2, resetTimeoutMs: 500, logger });
    await outcome(breaker, fails(unreachable()));
    await outcome(breaker, fails(unreachable()));
    clock.at += 500;

    let release: (value: unknown) => void = () => undefined;
    let trials = 0;
    const trial = outcome(breaker, () => {
      trials++;
      return new Promise((_resolve, reject) => (release = () => reject(unreachable())));
    });
    assert.equal(breaker.state, 'half-open');
    const meanwhile = await outcome(breaker, answers);
    assert.ok(isBtpError(meanwhile, ErrorCode.ServiceUnavailable));
    assert.match(meanwhile.message, /a trial call is running now/);
    release(undefined);
    assert.ok(isBtpError(await trial, ErrorCode.Unreachable));
    assert.equal(trials, 1);
    assert.equal(breaker.state, 'open');
    clock.at += 499;
    assert.ok(isBtpError(await outcome(breaker, answers), ErrorCode.ServiceUnavailable));
    clock.at += 1;
    // A trial that gets any answer, even a 404, proves the service is up.
    assert.ok(isBtpError(await outcome(breaker, fails(new BtpError(ErrorCode.NotFound, 'gone', { status: 404 }))), ErrorCode.NotFound));
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(
      lines.map((line) => line.replace(/ for .*?:/, ':').split(' (')[0]),
      [
        'warn circuit breaker: open for 500 ms after 2 outages in a row',
        'info circuit breaker: half-open, one trial call goes through',
        'warn circuit breaker: open for 500 ms after 3 outages in a row',
        'info circuit breaker: half-open, one trial call goes through',
        'info circuit breaker: closed, the service answers again',
      ],
    );
  });

  it('one breaker per Destination service client, shared by every resolver on it; concurrent callers still share one lookup', async () => {
    const clock = fakeClock();
    let finds = 0;
    let down = true;
    const client = {
      find: async (): Promise<FindResult> => {
        finds++;
        await new Promise((resolve) => setImmediate(resolve));
        if (down) throw unreachable();
        return { destinationConfiguration: { Name: 'a', Type: 'HTTP', URL: 'http://127.0.0.1:9', ProxyType: 'Internet', Authentication: 'NoAuthentication' } };
      },
    };
    const breaker = sharedBreaker(client, { now: clock.now, failureThreshold: 3, resetTimeoutMs: 1_000 });
    assert.equal(sharedBreaker(client), breaker);
    assert.notEqual(sharedBreaker({}), breaker);
    const first = new DestinationResolver({ client, name: 'a' });
    const second = new DestinationResolver({ client, name: 'b' });

    const burst = await Promise.all(Array.from({ length: 50 }, () => first.get().catch((error: unknown) => error)));
    assert.equal(finds, 1, '50 concurrent cold gets cost one lookup');
    assert.ok(burst.every((error) => isBtpError(error, ErrorCode.Unreachable)));
    await first.get().catch(() => undefined);
    await second.get().catch(() => undefined);
    assert.equal(finds, 3);
    assert.equal(breaker.state, 'open');
    for (const resolver of [first, second]) {
      const error = await resolver.get().catch((caught: unknown) => caught);
      assert.ok(isBtpError(error, ErrorCode.ServiceUnavailable), 'both forwards of the connection fail fast');
    }
    assert.equal(finds, 3);

    down = false;
    clock.at += 1_000;
    const recovered = await Promise.all(Array.from({ length: 50 }, () => second.get()));
    assert.equal(finds, 4, 'the half-open trial is one lookup, shared by the waiting callers');
    assert.equal(recovered[0]?.name, 'b');
    assert.equal(breaker.state, 'closed');
    assert.equal((await first.get()).name, 'a');
  });
});

describe('AC-18: forwards while the token service / Destination service is down (real loopback forward)', () => {
  let f: SandboxFixture;
  let tokenProxy: FaultProxy;
  let destinationProxy: FaultProxy;
  let upstream: RecordingServer;
  let client: DestinationServiceClient;
  let manager: ForwardManager;
  let info: ForwardInfo;
  let breaker: CircuitBreaker;
  // The breaker's clock runs ahead of the real one on demand: the default 30 s reset timeout, without waiting.
  let skew = 0;
  const logLines: string[] = [];

  const tokenRequests = () => f.sandbox.tokenService.requestCount.get(f.binding.clientId) ?? 0;
  const setDown = (proxy: FaultProxy, down: boolean) => {
    proxy.resetNext(down ? Number.POSITIVE_INFINITY : 0);
    if (down) proxy.resetAll(); // pooled keep-alive connections too
  };
  /** Drops the Destination service token of the client, so that the next lookup needs the token service. */
  const forgetServiceToken = async () => client.tokens.invalidate(await client.tokens.clientCredentials());

  async function call(path: string, method: 'GET' | 'POST' = 'GET') {
    const started = performance.now();
    const response = await request(`${info.localAddress}${path}`, { method, ...(method === 'POST' ? { body: 'payload' } : {}) });
    const text = await response.body.text();
    const ms = performance.now() - started;
    // The forward's own failures (404 for a destination that is gone, 5xx) come as JSON with a stable code.
    const error =
      response.statusCode >= 400 && response.headers['content-type'] === 'application/json'
        ? (JSON.parse(text) as { error: { code: string; message: string } }).error
        : undefined;
    return { status: response.statusCode, ms, error };
  }

  before(async () => {
    f = await startSandboxFixture();
    tokenProxy = await FaultProxy.start({ port: Number(new URL(f.sandbox.endpoints.tokenServiceUrl).port) });
    destinationProxy = await FaultProxy.start({ port: Number(new URL(f.sandbox.endpoints.destinationServiceUrl).port) });
    upstream = await startRecordingServer((req, res) => {
      // A 401 makes the forward drop its cached resolution: the next lookup then needs the services.
      const expired = req.url?.endsWith('/expire') === true;
      res.writeHead(expired ? 401 : 200, { 'content-type': 'text/plain' });
      res.end(expired ? 'expired' : 'ok');
    });
    const binding: DestinationBinding = { ...f.binding, url: tokenProxy.url, uri: destinationProxy.url };
    client = new DestinationServiceClient({ binding, agents: f.agents });
    const logger = createLogger((level, _prefix, message) => logLines.push(`${level} ${message}`));
    breaker = sharedBreaker(client, { now: () => Date.now() + skew, logger });
    await f.client.create('subaccount', {
      Name: 'breaker-api',
      Type: 'HTTP',
      URL: `${upstream.url}/base`,
      ProxyType: 'Internet',
      Authentication: 'NoAuthentication',
    });
    manager = new ForwardManager({ client });
    info = await manager.start({ destination: 'breaker-api' });
  });
  after(async () => {
    await manager.dispose();
    await Promise.all([tokenProxy.close(), destinationProxy.close(), upstream.close()]);
    await f.close();
  });

  it('token service down: 5 failing lookups (one connection each, POST not retried), then a fail-fast 503 that contacts nobody', async (t) => {
    assert.equal((await call('/warm')).status, 200);
    setDown(tokenProxy, true);
    setDown(destinationProxy, true);
    await forgetServiceToken();
    const tokenConnections = tokenProxy.stats.connections;
    const upstreamBefore = upstream.requests.length;

    const failing = [await call('/expire'), await call('/a'), await call('/b', 'POST'), await call('/c'), await call('/d')];
    for (const result of failing) {
      assert.equal(result.status, 502);
      assert.equal(result.error?.code, ErrorCode.Unreachable);
      assert.match(result.error?.message ?? '', /token service/);
    }
    assert.equal(tokenProxy.stats.connections - tokenConnections, 5, 'one token request per failed lookup: nothing retried, the POST neither');
    assert.deepEqual(
      upstream.requests.slice(upstreamBefore).map((seen) => `${seen.method} ${seen.url}`),
      ['GET /base/expire'],
      'only the request that found the stale resolution reached the upstream',
    );
    assert.equal(breaker.state, 'open');

    const tokenBefore = tokenProxy.stats.connections;
    const destinationBefore = destinationProxy.stats.connections;
    const fast: number[] = [];
    const retryAts = new Set<string>();
    for (let index = 0; index < 20; index++) {
      const result = await call(`/fast${index}`, index % 2 === 0 ? 'GET' : 'POST');
      assert.equal(result.status, 503);
      assert.equal(result.error?.code, ErrorCode.ServiceUnavailable);
      assert.match(result.error?.message ?? '', /^Calls to the Destination service or its token service fail fast: 5 in a row failed/);
      // When the breaker opened is fixed; how many seconds are left depends on how fast this machine got here.
      const [, retryAt, seconds] = /the next try is at (\d{4}-\d\d-\d\dT[\d:.]+Z) \(in (\d+) s\)/.exec(result.error?.message ?? '') ?? [];
      assert.ok(retryAt !== undefined && Number(seconds) <= 30, result.error?.message);
      retryAts.add(retryAt);
      assert.match(result.error?.message ?? '', /Last error: The token service at http:\/\/127\.0\.0\.1:\d+ could not be reached/);
      fast.push(result.ms);
    }
    const burst = await Promise.all(Array.from({ length: 50 }, () => call('/burst')));
    assert.ok(burst.every((result) => result.status === 503));
    fast.sort((a, b) => a - b);
    // Printed, not bounded: "fast" is that nobody is contacted (below); the time is the machine's.
    t.diagnostic(
      `fast-fail 503: median ${fast[10]?.toFixed(2)} ms, max ${fast[19]?.toFixed(2)} ms over 20 sequential requests; 50 concurrent: max ${Math.max(...burst.map((r) => r.ms)).toFixed(2)} ms`,
    );
    assert.equal(retryAts.size, 1, `one reset time while open: ${[...retryAts].join(', ')}`);
    assert.equal(tokenProxy.stats.connections, tokenBefore, 'no connection attempt to the token service while open');
    assert.equal(destinationProxy.stats.connections, destinationBefore, 'nor to the Destination service');
    assert.equal(upstream.requests.length, upstreamBefore + 1, 'nothing reached the upstream, no POST either');
    assert.equal(manager.get(info.id)?.lastError?.code, ErrorCode.ServiceUnavailable);
  });

  it('when the services are back it stays open until the reset timeout, then one trial (one token request for 50 concurrent requests) closes it', async () => {
    setDown(tokenProxy, false);
    setDown(destinationProxy, false);
    const connections = tokenProxy.stats.connections + destinationProxy.stats.connections;
    assert.equal((await call('/early')).status, 503, 'back, but the reset timeout has not passed');
    assert.equal(tokenProxy.stats.connections + destinationProxy.stats.connections, connections);

    skew += 30_000;
    assert.equal(breaker.state, 'half-open');
    const tokensBefore = tokenRequests();
    const burst = await Promise.all(Array.from({ length: 50 }, (_value, index) => call(`/recovered${index}`)));
    assert.deepEqual([...new Set(burst.map((result) => result.status))], [200]);
    assert.equal(tokenRequests() - tokensBefore, 1, 'AC-17 holds through the trial: one token request');
    assert.equal(breaker.state, 'closed');
    assert.equal((await call('/after')).status, 200);
    assert.ok(
      logLines.some((line) =>
        line.startsWith('warn circuit breaker for the Destination service or its token service: open for 30000 ms after 5 outages in a row'),
      ),
    );
    assert.ok(logLines.some((line) => line.includes('half-open')));
    assert.ok(logLines.some((line) => line.includes('closed, the service answers again')));
  });

  it('Destination service down (token cached): opens too; a trial that fails opens it again without a second attempt', async () => {
    setDown(destinationProxy, true);
    const tokenBefore = tokenProxy.stats.connections;
    const failing = [await call('/expire'), await call('/a'), await call('/b'), await call('/c'), await call('/d')];
    assert.deepEqual([...new Set(failing.map((result) => result.error?.code))], [ErrorCode.Unreachable]);
    assert.match(failing[4]?.error?.message ?? '', /The Destination service at/);
    assert.equal(tokenProxy.stats.connections, tokenBefore, 'the cached token was used');
    const open = await call('/open');
    assert.equal(open.status, 503);
    assert.match(open.error?.message ?? '', /Last error: The Destination service at/);

    skew += 30_000;
    const attempts = destinationProxy.stats.connections;
    const trial = await call('/trial');
    assert.equal(trial.status, 502, 'the trial itself reports the real failure');
    assert.equal(destinationProxy.stats.connections - attempts, 1);
    assert.equal((await call('/again')).status, 503);
    assert.equal(destinationProxy.stats.connections - attempts, 1, 're-opened: no further attempt');

    setDown(destinationProxy, false);
    skew += 30_000;
    assert.equal((await call('/back')).status, 200);
    assert.equal(breaker.state, 'closed');
  });

  it('4xx from the Destination service (a deleted destination) never opens it', async () => {
    await f.client.delete('subaccount', 'breaker-api');
    const results = [await call('/expire')];
    for (let index = 0; index < 7; index++) results.push(await call(`/gone${index}`));
    assert.deepEqual([...new Set(results.map((result) => result.error?.code))], [ErrorCode.NotFound]);
    assert.equal(breaker.state, 'closed');
  });
});
