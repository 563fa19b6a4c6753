import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { parseCredentials } from '../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding } from '../../../src/core/bindings/types';
import { ConnectivityAccess } from '../../../src/core/connectivity/connectivityAccess';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { startSandboxFixture, type SandboxFixture } from '../../support/sandboxFixture';
import { withTimeout } from '../../support/faultHarness';

// Finding D2 of issue 12: 2,000 idle sockets on one OnPremise TCP forward stalled every OnPremise HTTP and TCP
// request for seconds and dropped hundreds of connections. The Cloud Connector tunnel carries every on-premise
// connection as one HTTP/2 stream, and the flood took all of its streams. Now a forward holds at most
// `maxConnections` upstream and refuses the rest at once; other forwards keep answering while the flood holds.
// Everything runs on loopback, bounded in count (the flood size) and in time (the deadlines below).

/** The documented default of `maxConnections` (a literal: this test must run against code without it too). */
const cap = 128;
const floodSize = 2_000;
/** Probes take milliseconds (median 4–30 ms, also under the flood); a stalled path takes 10 s or more. */
const probeMs = 5_000;
/** The flood settles (held or refused) in about 1.5 s on 2 cores. */
const settleMs = 30_000;

let f: SandboxFixture;
let connectivity: ConnectivityAccess;
let manager: ForwardManager;

before(async () => {
  f = await startSandboxFixture();
  connectivity = new ConnectivityAccess(parseCredentials(f.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding, f.agents);
  manager = new ForwardManager({ client: f.client, connectivity });
});
after(async () => {
  await manager.dispose();
  await connectivity.close();
  await f.close();
});

/** GET /whoami: the status, or the code of the failure (a stalled path times out). */
async function httpProbe(info: ForwardInfo): Promise<number | string> {
  try {
    const response = await request(`${info.localAddress}/whoami`, { headersTimeout: probeMs, bodyTimeout: probeMs });
    await response.body.dump();
    return response.statusCode;
  } catch (error) {
    return String((error as NodeJS.ErrnoException).code ?? error);
  }
}

/** PING → PONG on a fresh connection: the first line the line service answers, or how the connection ended. */
function tcpProbe(port: number): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      let error: string | undefined;
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (!text.includes('\n')) return;
        socket.destroy();
        resolve(text.trim());
      });
      socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code));
      socket.on('close', () => resolve(`closed (${error ?? 'FIN'}) after ${JSON.stringify(text)}`));
    }),
    probeMs,
    `TCP probe on 127.0.0.1:${port} got no answer`,
  );
}

type Outcome = { readonly held: Socket } | { readonly refused: string };

/**
 * `count` connections that each say PING once and then stay idle: a PONG means the forward holds the connection
 * upstream, a close before it means the forward refused it. Resolves when every one is either.
 */
function flood(port: number, count: number, sockets: Socket[]): Promise<Outcome[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Outcome>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          let error: string | undefined;
          socket.on('connect', () => socket.write('PING\r\n'));
          socket.on('data', (chunk: Buffer) => {
            if (chunk.includes('PONG')) resolve({ held: socket });
          });
          socket.on('error', (failure: NodeJS.ErrnoException) => (error = failure.code));
          socket.on('close', () => resolve({ refused: error ?? 'FIN' }));
        }),
    ),
  );
}

describe('D2 — a connection flood on one OnPremise forward', () => {
  it(
    'D2 — 2,000 idle sockets on an OnPremise TCP forward: the excess is refused at once, other OnPremise forwards keep answering',
    { timeout: 120_000 },
    async () => {
      const flooded = await manager.start({ destination: 'onprem-tcp-db' });
      const http = await manager.start({ destination: 'onprem-erp-basic' });
      const tcp = await manager.start({ destination: 'onprem-tcp-db' });
      assert.equal(await httpProbe(http), 200);
      assert.equal(await tcpProbe(tcp.port), 'PONG');

      const sockets: Socket[] = [];
      try {
        const outcomes = flood(flooded.port, floodSize, sockets);
        // Before the cap, part of the flood never settles (it waits for a tunnel stream): probe after the deadline.
        const settled = await withTimeout(outcomes, settleMs, 'the flood did not settle').catch(() => undefined);

        // While the flood holds its connections, the other forwards answer in milliseconds.
        assert.equal(await httpProbe(http), 200, 'an HTTP request on another OnPremise forward during the flood');
        assert.equal(await tcpProbe(tcp.port), 'PONG', 'a TCP connection on another OnPremise forward during the flood');

        assert.ok(settled, `every flood connection is held or refused within ${settleMs} ms`);
        const held = settled.flatMap((outcome) => ('held' in outcome ? [outcome.held] : []));
        const refusals = settled.flatMap((outcome) => ('refused' in outcome ? [outcome.refused] : []));
        assert.equal(held.length, cap, 'connections the forward holds upstream');
        assert.equal(refusals.length, floodSize - cap);
        // A reset, not a FIN: a client must not read a refusal as an empty answer.
        assert.deepEqual([...new Set(refusals)], ['ECONNRESET']);

        // The flooded forward itself refuses further connections at once, and says why.
        assert.match(await tcpProbe(flooded.port), /^closed \(ECONNRESET\)/);
        const info = manager.get(flooded.id);
        assert.equal(info?.maxConnections, cap);
        assert.equal(info?.counters.refused, floodSize - cap + 1);
        assert.equal(info?.lastError?.code, 'BTP_FORWARD_BUSY');

        // Once the flood lets go, the forward serves again.
        for (const socket of held) socket.destroy();
        await withTimeout(
          new Promise<void>((resolve) => {
            const done = () => (manager.get(flooded.id)?.counters.requests ?? 0) >= floodSize + 1;
            if (done()) return resolve();
            const subscription = manager.onDidChange(() => {
              if (!done()) return;
              subscription.dispose();
              resolve();
            });
          }),
          settleMs,
          'the forward did not report the closed flood connections',
        );
        assert.equal(await tcpProbe(flooded.port), 'PONG');
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    },
  );

  it('D2 — slow requests flooding one OnPremise HTTP forward do not starve another OnPremise HTTP forward', { timeout: 60_000 }, async () => {
    const flooded = await manager.start({ destination: 'onprem-erp-basic' });
    const other = await manager.start({ destination: 'onprem-erp-basic' });
    const tcp = await manager.start({ destination: 'onprem-tcp-db' });
    assert.equal(await httpProbe(other), 200);
    const sockets: Socket[] = [];
    try {
      // Each request streams a body it never finishes: /echo answers with its head at once and then holds the
      // upstream connection for as long as the body flows. More requests than the forward may send upstream.
      let heads = 0;
      const saturated = new Promise<void>((resolve) => {
        for (let index = 0; index < cap + 172; index++) {
          const socket = connect(flooded.port, '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => undefined);
          socket.on('connect', () => socket.write(`POST /echo HTTP/1.1\r\nHost: 127.0.0.1:${flooded.port}\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n`));
          socket.once('data', (chunk: Buffer) => {
            if (!chunk.toString().startsWith('HTTP/1.1 200')) return;
            if (++heads === cap) resolve();
          });
        }
      });
      await withTimeout(saturated, settleMs, `${cap} slow requests did not get their response heads`);

      assert.equal(await httpProbe(other), 200, 'an HTTP request on another OnPremise forward during the flood');
      assert.equal(await tcpProbe(tcp.port), 'PONG');
      assert.equal(manager.get(flooded.id)?.maxConnections, cap);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
