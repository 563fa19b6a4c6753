import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ForwardManager } from '../../../src/core/forward/forwardManager';

// A forward's start waits for the Destination service (and, OnPremise, the token service): on a real network each
// lookup is a round trip, so the ones that do not depend on each other must be in flight together.

interface Counting {
  readonly client: { find: (name: string, options?: unknown) => Promise<never> };
  readonly maxInFlight: () => number;
  readonly calls: () => number;
  readonly completed: () => number;
}

/** find() answers on the next turn of the event loop and records how many lookups were open at once. */
function countingClient(destination: Record<string, string>): Counting {
  let inFlight = 0;
  let max = 0;
  let calls = 0;
  let completed = 0;
  return {
    client: {
      find: (name) => {
        calls++;
        inFlight++;
        max = Math.max(max, inFlight);
        return new Promise((resolve) =>
          setImmediate(() => {
            inFlight--;
            completed++;
            resolve({ destinationConfiguration: { Name: name, ...destination }, authTokens: [] } as never);
          }),
        );
      },
    },
    maxInFlight: () => max,
    calls: () => calls,
    completed: () => completed,
  };
}

test('start() runs the kind lookup and the credentialed lookup at once', async () => {
  const counting = countingClient({ Type: 'HTTP', URL: 'http://127.0.0.1:9', ProxyType: 'Internet', Authentication: 'NoAuthentication' });
  const manager = new ForwardManager({ client: counting.client });
  try {
    await manager.start({ destination: 'api' });
    assert.equal(counting.calls(), 2);
    assert.equal(counting.maxInFlight(), 2, 'the second lookup started only after the first had answered');
  } finally {
    await manager.dispose();
  }
});

test('the connectivity token of an OnPremise forward, and its connection to the proxy, are fetched while the destination lookups are still in flight', async () => {
  const counting = countingClient({ Type: 'HTTP', URL: 'http://erp.virtual:80', ProxyType: 'OnPremise', Authentication: 'NoAuthentication' });
  const answeredAtTokenRequest: number[] = [];
  const answeredAtWarm: number[] = [];
  const connectivity = {
    token: async () => {
      answeredAtTokenRequest.push(counting.completed());
      return { accessToken: 'connectivity-token', expiresAt: Date.now() + 60_000 };
    },
    warm: () => answeredAtWarm.push(counting.completed()) > 0,
    forForward() {
      return this;
    },
    close: async () => undefined,
  };
  const manager = new ForwardManager({ client: counting.client, connectivity: connectivity as never });
  try {
    await manager.start({ destination: 'erp' });
    assert.equal(answeredAtTokenRequest.length, 1, 'one connectivity token request during start');
    // Requested before any lookup had answered (answers come a turn of the event loop later), not after them.
    assert.deepEqual(answeredAtTokenRequest, [0]);
    // So is the connection to the proxy the first request will take (again once the forward knows it is OnPremise).
    assert.equal(answeredAtWarm[0], 0, `the proxy connection was opened only after ${answeredAtWarm[0]} lookups had answered`);
    assert.equal(counting.completed(), 2);
  } finally {
    await manager.dispose();
  }
});
