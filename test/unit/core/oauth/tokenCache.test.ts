import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenCache } from '../../../../src/core/oauth/tokenCache';
import type { AccessToken } from '../../../../src/core/oauth/tokenRequest';

/** A controllable clock and a token source that counts its calls. */
function setup(options: { maxMarginMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const cache = new TokenCache({ ...options, now: () => clock.now });
  let calls = 0;
  const issue = (expiresIn: number): AccessToken => {
    calls++;
    return { accessToken: `token-${calls}`, tokenType: 'bearer', expiresIn, expiresAt: clock.now + expiresIn * 1000 };
  };
  return {
    clock,
    cache,
    get calls() {
      return calls;
    },
    fetcher: (expiresIn: number) => () => Promise.resolve(issue(expiresIn)),
  };
}

/** A fetch the test resolves or rejects by hand, to hold it in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TokenCache expiry margin', () => {
  const cases: { expiresIn: number; marginMs: number; maxMarginMs?: number }[] = [
    { expiresIn: 3600, marginMs: 60_000 }, // long-lived: the 60 s cap
    { expiresIn: 600, marginMs: 60_000 }, // a tenth is exactly 60 s
    { expiresIn: 300, marginMs: 30_000 }, // short-lived: a tenth of its life
    { expiresIn: 20, marginMs: 2_000 },
    { expiresIn: 3600, marginMs: 5_000, maxMarginMs: 5_000 },
  ];
  for (const { expiresIn, marginMs, maxMarginMs } of cases) {
    it(`reuses a ${expiresIn} s token until ${marginMs} ms before expiry${maxMarginMs ? ` (maxMarginMs ${maxMarginMs})` : ''}`, async () => {
      const t = setup(maxMarginMs === undefined ? {} : { maxMarginMs });
      const first = await t.cache.get('k', t.fetcher(expiresIn));
      const refreshAt = first.expiresAt - marginMs;
      t.clock.now = refreshAt - 1;
      assert.equal(await t.cache.get('k', t.fetcher(expiresIn)), first);
      assert.equal(t.calls, 1, 'still fresh one millisecond before the margin');
      t.clock.now = refreshAt;
      const second = await t.cache.get('k', t.fetcher(expiresIn));
      assert.equal(t.calls, 2, 'refetched once the margin is reached');
      assert.equal(second.accessToken, 'token-2');
      assert.equal(await t.cache.get('k', t.fetcher(expiresIn)), second, 'the new token is cached in turn');
      assert.equal(t.calls, 2);
    });
  }

  it('refetches a token that was already expired when it arrived', async () => {
    const t = setup();
    await t.cache.get('k', t.fetcher(0));
    await t.cache.get('k', t.fetcher(0));
    assert.equal(t.calls, 2);
  });

  it('keeps keys apart', async () => {
    const t = setup();
    const a = await t.cache.get('a', t.fetcher(3600));
    const b = await t.cache.get('b', t.fetcher(3600));
    assert.notEqual(a.accessToken, b.accessToken);
    assert.equal(await t.cache.get('a', t.fetcher(3600)), a);
    assert.equal(t.calls, 2);
  });
});

describe('TokenCache concurrency', () => {
  it('makes concurrent cold gets share one fetch', async () => {
    const t = setup();
    const pending = deferred<AccessToken>();
    let calls = 0;
    const fetchToken = () => {
      calls++;
      return pending.promise;
    };
    const waiters = Array.from({ length: 10 }, () => t.cache.get('k', fetchToken));
    assert.equal(calls, 1);
    const token: AccessToken = { accessToken: 'shared', tokenType: 'bearer', expiresIn: 3600, expiresAt: t.clock.now + 3_600_000 };
    pending.resolve(token);
    for (const result of await Promise.all(waiters)) assert.equal(result, token);
    assert.equal(await t.cache.get('k', fetchToken), token);
    assert.equal(calls, 1);
  });

  it('gives every waiter of a failed fetch the same error and does not cache it', async () => {
    const t = setup();
    const pending = deferred<AccessToken>();
    let calls = 0;
    const failing = () => {
      calls++;
      return pending.promise;
    };
    const waiters = Array.from({ length: 5 }, () => t.cache.get('k', failing));
    const failure = new Error('token service said no');
    pending.reject(failure);
    const settled = await Promise.allSettled(waiters);
    for (const result of settled) {
      assert.equal(result.status, 'rejected');
      assert.equal(result.status === 'rejected' && result.reason, failure);
    }
    assert.equal(calls, 1);
    const token = await t.cache.get('k', t.fetcher(3600));
    assert.equal(token.accessToken, 'token-1', 'the next get fetches again');
  });

  it('starts a new shared fetch after a failure', async () => {
    const t = setup();
    await assert.rejects(
      t.cache.get('k', () => Promise.reject(new Error('first'))),
      /first/,
    );
    const pending = deferred<AccessToken>();
    let calls = 0;
    const second = () => {
      calls++;
      return pending.promise;
    };
    const waiters = [t.cache.get('k', second), t.cache.get('k', second)];
    pending.reject(new Error('second'));
    for (const result of await Promise.allSettled(waiters)) assert.match(result.status === 'rejected' ? String(result.reason) : '', /second/);
    assert.equal(calls, 1);
  });
});

describe('TokenCache invalidate and clear', () => {
  it('drops the token the server refused so the next get refetches', async () => {
    const t = setup();
    const first = await t.cache.get('k', t.fetcher(3600));
    t.cache.invalidate('k', first);
    const second = await t.cache.get('k', t.fetcher(3600));
    assert.equal(second.accessToken, 'token-2');
  });

  it('keeps a newer token when invalidated with a stale one', async () => {
    const t = setup();
    const stale = await t.cache.get('k', t.fetcher(3600));
    t.cache.invalidate('k', stale);
    const fresh = await t.cache.get('k', t.fetcher(3600));
    // A second request that failed with the old token reports it late.
    t.cache.invalidate('k', stale);
    assert.equal(await t.cache.get('k', t.fetcher(3600)), fresh);
    assert.equal(t.calls, 2);
  });

  it('drops the token unconditionally without a token argument, and only for that key', async () => {
    const t = setup();
    await t.cache.get('a', t.fetcher(3600));
    const b = await t.cache.get('b', t.fetcher(3600));
    t.cache.invalidate('a');
    assert.equal((await t.cache.get('a', t.fetcher(3600))).accessToken, 'token-3');
    assert.equal(await t.cache.get('b', t.fetcher(3600)), b);
  });

  it('clear forgets every key', async () => {
    const t = setup();
    await t.cache.get('a', t.fetcher(3600));
    await t.cache.get('b', t.fetcher(3600));
    t.cache.clear();
    await t.cache.get('a', t.fetcher(3600));
    await t.cache.get('b', t.fetcher(3600));
    assert.equal(t.calls, 4);
  });
});
