import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ForwardManager } from '../../../src/core/forward/forwardManager';

// A forward's start waits for the Destination service (and, OnPremise, the token service): on a real network each
// lookup is a round trip, so the ones that do not depend on each other must be in flight together.

interface Counting {
  readonly client: { find: (name: string, options?: unknown) => Promise<never> };
  readonly maxInFlight: () => number;
  readonly calls: () => number;
}

/** find() answers on the next turn of the event loop and records how many lookups were open at once. */
function countingClient(destination: Record<string, string>): Counting {
  let inFlight = 0;
  let max = 0;
  let calls = 0;
  return {
    client: {
      find: (name) => {
        calls++;
        inFlight++;
        max = Math.max(max, inFlight);
        return new Promise((resolve) =>
          setImmediate(() => {
            inFlight--;
            resolve({ destinationConfiguration: { Name: name, ...destination }, authTokens: [] } as never);
          }),
        );
      },
    },
    maxInFlight: () => max,
    calls: () => calls,
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

test('an OnPremise forward fetches its connectivity token while it starts, an Internet one does not', async () => {
  for (const proxyType of ['OnPremise', 'Internet'] as const) {
    const counting = countingClient({ Type: 'HTTP', URL: 'http://erp.virtual:80', ProxyType: proxyType, Authentication: 'NoAuthentication' });
    let tokens = 0;
    const connectivity = {
      token: async () => {
        tokens++;
        return { accessToken: 'connectivity-token', expiresAt: Date.now() + 60_000 };
      },
      forForward() {
        return this;
      },
      close: async () => undefined,
    };
    const manager = new ForwardManager({ client: counting.client, connectivity: connectivity as never });
    try {
      await manager.start({ destination: 'erp' });
      assert.equal(tokens, proxyType === 'OnPremise' ? 1 : 0, `${proxyType}: connectivity token requests during start`);
    } finally {
      await manager.dispose();
    }
  }
});
