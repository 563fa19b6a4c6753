import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectivityAccess } from '../../../../src/core/connectivity/connectivityAccess';
import { BtpError, ErrorCode } from '../../../../src/core/errors';
import { silentLogger } from '../../../../src/core/log';
import type { UserSession } from '../../../../src/core/oauth/userSession';
import { ConnectionRuntime, type RuntimeParts } from '../../../../src/core/session/connectionRuntime';
import type { TunnelSupervisor } from '../../../../src/core/tunnel/supervisor';
import type { TunnelState } from '../../../../src/core/tunnel/types';

// The connection runtime both the CLI and the extension open: what runs at once while forwards start, and the one
// order everything closes in. Tunnel, connectivity access and user are fakes that record what is done to them.

/** A promise the test settles: the fakes hold their answers until told. */
function gate<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** Lets the event loop turn until `done` holds; fails after many turns (counted, not timed). */
async function turnsUntil(done: () => boolean, turns = 1_000): Promise<void> {
  for (let turn = 0; turn < turns && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(done(), 'what the test waits for did not happen while the fakes held their answers');
}

function fakes(events: string[]) {
  const tunnelStarted = gate();
  const userLoaded = gate<undefined>();
  let state: TunnelState = 'idle';
  const listeners = new Set<(state: TunnelState) => void>();
  const setState = (next: TunnelState) => {
    state = next;
    for (const listener of listeners) listener(next);
  };
  const tunnel = {
    get state() {
      return state;
    },
    endpoints: [],
    onDidChangeState(listener: (state: TunnelState) => void) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    async start() {
      events.push('tunnel start');
      setState('starting');
      try {
        await tunnelStarted.promise;
      } catch (error) {
        setState('failed');
        throw error;
      }
      setState('ready');
      events.push('tunnel ready');
    },
    async stop() {
      events.push('tunnel stop');
      setState('stopped');
    },
  };
  const connectivity = {
    token: async () => ({ accessToken: 'connectivity', expiresAt: Number.MAX_SAFE_INTEGER }),
    // Each HTTP forward's own pool to the proxy, closed with the forward.
    forForward() {
      return { token: connectivity.token, warm: () => false, close: async () => void events.push('forward pool close') };
    },
    // Opening the proxy connection early (warm) has nothing to open here.
    warm: () => false,
    async close() {
      events.push('connectivity close');
    },
  };
  const user = {
    connection: 'dev',
    user: undefined,
    async load() {
      events.push('user load');
      return userLoaded.promise;
    },
    userToken: async () => undefined,
    dispose() {
      events.push('user dispose');
    },
  };
  const client = {
    async find(name: string, options?: { skipCredentials?: boolean }) {
      events.push(options?.skipCredentials ? `find ${name} (kind)` : `find ${name}`);
      return {
        destinationConfiguration: {
          Name: name,
          Type: 'HTTP',
          URL: name.startsWith('erp') ? 'http://erp.virtual:80' : 'http://127.0.0.1:9',
          ProxyType: name.startsWith('erp') ? 'OnPremise' : 'Internet',
          Authentication: 'NoAuthentication',
        },
        authTokens: [],
      };
    },
  };
  const parts: RuntimeParts = {
    name: 'dev',
    client: client as never,
    connectivity: connectivity as unknown as ConnectivityAccess,
    tunnel: tunnel as unknown as TunnelSupervisor,
    user: user as unknown as UserSession,
  };
  return { parts, tunnelStarted, userLoaded };
}

function runtimeOf(parts: RuntimeParts): ConnectionRuntime {
  return new ConnectionRuntime(parts, { agents: {} as never, tunnelMode: { kind: 'cf-ssh', app: 'proxy-app' }, logger: silentLogger });
}

describe('ConnectionRuntime: starting forwards', () => {
  it('looks the destination up and reads the user while the tunnel is still starting', async () => {
    const events: string[] = [];
    const { parts, tunnelStarted, userLoaded } = fakes(events);
    const runtime = runtimeOf(parts);
    try {
      const starting = runtime.startForwards([{ destination: 'api' }]);
      // Let every lookup that does not wait for the tunnel run; the tunnel and the user answer only when released.
      await turnsUntil(() => events.includes('find api'));
      assert.deepEqual(events.slice(0, 2), ['user load', 'tunnel start']);
      assert.ok(!events.includes('tunnel ready'), 'a lookup waited for the tunnel');
      userLoaded.resolve(undefined);
      tunnelStarted.resolve();
      const [info] = await starting;
      assert.equal(info?.destination, 'api');
      assert.equal(info?.state, 'ready');
      assert.ok(events.indexOf('find api') < events.indexOf('tunnel ready'));
    } finally {
      tunnelStarted.resolve();
      userLoaded.resolve(undefined);
      await runtime.close({ graceMs: 0 });
    }
  });

  it('a tunnel that fails to start fails the start, and the forward started meanwhile is stopped again', async () => {
    const events: string[] = [];
    const { parts, tunnelStarted, userLoaded } = fakes(events);
    const runtime = runtimeOf(parts);
    userLoaded.resolve(undefined);
    try {
      const starting = runtime.startForwards([{ destination: 'api' }]);
      await turnsUntil(() => events.includes('find api'));
      tunnelStarted.reject(new BtpError(ErrorCode.TunnelFailed, 'cf ssh exited'));
      await assert.rejects(starting, (error: unknown) => error instanceof BtpError && error.code === ErrorCode.TunnelFailed);
      assert.deepEqual(runtime.forwards.list(), []);
    } finally {
      await runtime.close({ graceMs: 0 });
    }
  });

  it('a second forward waits for the tunnel the first one is starting (one start, not two)', async () => {
    const events: string[] = [];
    const { parts, tunnelStarted, userLoaded } = fakes(events);
    const runtime = runtimeOf(parts);
    userLoaded.resolve(undefined);
    try {
      const first = runtime.startForward({ destination: 'a' });
      const second = runtime.startForward({ destination: 'b' });
      let secondDone = false;
      void second.then(() => (secondDone = true));
      await turnsUntil(() => events.includes('find b'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(secondDone, false, 'the second forward did not wait for the tunnel');
      tunnelStarted.resolve();
      await Promise.all([first, second]);
      assert.equal(events.filter((event) => event === 'tunnel start').length, 1);
    } finally {
      await runtime.close({ graceMs: 0 });
    }
  });
  it('an OnPremise forward started while the tunnel comes up is ready once the tunnel is', async () => {
    const events: string[] = [];
    const { parts, tunnelStarted, userLoaded } = fakes(events);
    const runtime = runtimeOf(parts);
    userLoaded.resolve(undefined);
    try {
      const starting = runtime.startForward({ destination: 'erp' });
      await turnsUntil(() => runtime.forwards.list().length === 1);
      // Listening before the tunnel is up: the forward says so instead of claiming to be ready.
      assert.equal(runtime.forwards.list()[0]?.state, 'reconnecting');
      tunnelStarted.resolve();
      await starting;
      assert.equal(runtime.forwards.list()[0]?.state, 'ready');
    } finally {
      await runtime.close({ graceMs: 0 });
    }
  });
});

describe('ConnectionRuntime: close()', () => {
  it('closes in one order: forwards, adopted resources (newest first), connectivity, tunnel, user', async () => {
    const events: string[] = [];
    const { parts, tunnelStarted, userLoaded } = fakes(events);
    tunnelStarted.resolve();
    userLoaded.resolve(undefined);
    const runtime = runtimeOf(parts);
    await runtime.startForward({ destination: 'api' });
    runtime.forwards.onDidChange((info) => info.state === 'stopped' && events.push(`forward ${info.destination} stopped`));
    runtime.adopt(() => void events.push('recent paths written'));
    runtime.adopt(async () => void events.push('token file removed'));
    events.length = 0;
    await runtime.close({ graceMs: 0 });
    assert.deepEqual(events, [
      'forward pool close',
      'forward api stopped',
      'token file removed',
      'recent paths written',
      'connectivity close',
      'tunnel stop',
      'user dispose',
    ]);
  });

  it('a failing step does not keep the later ones from running; close() runs once', async () => {
    const events: string[] = [];
    const { parts } = fakes(events);
    const runtime = runtimeOf(parts);
    runtime.adopt(() => {
      throw new Error('disk full');
    });
    await assert.rejects(runtime.close(), /disk full/);
    assert.deepEqual(events, ['connectivity close', 'tunnel stop', 'user dispose']);
    await assert.rejects(runtime.close(), /disk full/);
    assert.equal(events.length, 3, 'a second close() ran the steps again');
  });
});
