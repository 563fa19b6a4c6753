import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BtpError, ErrorCode } from '../../../src/core/errors';
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

test('start() looks the destination up once: the lookup with credentials also decides the kind and the target', async () => {
  const counting = countingClient({ Type: 'HTTP', URL: 'http://127.0.0.1:9', ProxyType: 'Internet', Authentication: 'NoAuthentication' });
  const manager = new ForwardManager({ client: counting.client });
  try {
    await manager.start({ destination: 'api' });
    // A second lookup before "ready" would be a second round trip on a second connection (the warmed one is taken).
    assert.equal(counting.calls(), 1);
  } finally {
    await manager.dispose();
  }
});

test('when the lookup with credentials fails, the destination read without them still says it is not forwardable (RFC)', async () => {
  const options: unknown[] = [];
  const client = {
    find: async (name: string, findOptions?: { skipCredentials?: boolean }) => {
      options.push(findOptions);
      if (!findOptions?.skipCredentials) throw new BtpError(ErrorCode.TokenFailed, 'the token service said no');
      return { destinationConfiguration: { Name: name, Type: 'RFC', 'jco.client.ashost': 'erp.internal', 'jco.client.passwd': 'never-shown' } } as never;
    },
  };
  const manager = new ForwardManager({ client });
  try {
    await assert.rejects(manager.start({ destination: 'erp-rfc' }), (error: unknown) => {
      assert.ok(error instanceof BtpError);
      assert.equal(error.code, ErrorCode.RfcDestination);
      assert.doesNotMatch(JSON.stringify({ message: error.message, details: error.details }), /never-shown/);
      return true;
    });
    assert.equal(options.length, 2);
    assert.equal((options[1] as { skipCredentials?: boolean }).skipCredentials, true);
  } finally {
    await manager.dispose();
  }
});

test('a failed lookup with credentials of an HTTP destination is the error start() reports', async () => {
  const client = {
    find: async (name: string, findOptions?: { skipCredentials?: boolean }) => {
      if (!findOptions?.skipCredentials) throw new BtpError(ErrorCode.TokenFailed, 'the token service said no');
      return { destinationConfiguration: { Name: name, Type: 'HTTP', URL: 'http://127.0.0.1:9', ProxyType: 'Internet' } } as never;
    },
  };
  const manager = new ForwardManager({ client });
  try {
    await assert.rejects(manager.start({ destination: 'api' }), (error: unknown) => error instanceof BtpError && error.code === ErrorCode.TokenFailed);
    assert.equal(manager.list().length, 0);
  } finally {
    await manager.dispose();
  }
});

test('the connectivity token of an OnPremise forward, and its connection to the proxy, are fetched while the destination lookup is still in flight', async () => {
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
    // Requested before any lookup had answered (answers come a turn of the event loop later), not after it.
    assert.deepEqual(answeredAtTokenRequest, [0]);
    // So is the connection to the proxy the first request will take (again once the forward knows it is OnPremise).
    assert.equal(answeredAtWarm[0], 0, `the proxy connection was opened only after ${answeredAtWarm[0]} lookups had answered`);
    assert.equal(counting.completed(), 1);
  } finally {
    await manager.dispose();
  }
});
