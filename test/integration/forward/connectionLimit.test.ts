import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BtpError } from '../../../src/core/errors';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { createLogger } from '../../../src/core/log';
import { ending, memoryDestinations, rawServer, withTimeout } from '../../support/faultHarness';
import { rawExchange, statusOf } from '../../support/forwardHarness';
import { startWebSocketEcho, upgradeRequest } from '../../support/webSocketEcho';

// maxConnections of a TCP forward (D2): what it holds, how it refuses the rest, and when a slot is free again.
// An Internet destination on a loopback echo server: no Cloud Connector is needed to count connections.

let upstream: Awaited<ReturnType<typeof rawServer>>;
let manager: ForwardManager;
const warnings: string[] = [];
const destinations = memoryDestinations();

before(async () => {
  upstream = await rawServer((socket) => socket.pipe(socket));
  destinations.define({ Name: 'echo', Type: 'TCP', Address: `127.0.0.1:${upstream.port}`, ProxyType: 'Internet' });
  const logger = createLogger((level, _prefix, message) => {
    if (level === 'warn') warnings.push(message);
  });
  manager = new ForwardManager({ client: destinations.client, logger });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
});

/** A connection that echoed a byte: the forward holds it upstream. */
async function held(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('x');
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  assert.equal(chunk.toString(), 'x');
  return socket;
}

function untilReported(info: ForwardInfo, requests: number): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve) => {
      const done = () => (manager.get(info.id)?.counters.requests ?? 0) >= requests;
      if (done()) return resolve();
      const subscription = manager.onDidChange(() => {
        if (!done()) return;
        subscription.dispose();
        resolve();
      });
    }),
    5_000,
    `${requests} connections reported`,
  );
}

describe('TCP forward connection limit', () => {
  it('holds maxConnections, resets further connections at once, logs that once and counts them', async () => {
    const info = await manager.start({ destination: 'echo', maxConnections: 2 });
    assert.equal(info.maxConnections, 2);
    const first = await held(info.port);
    const second = await held(info.port);
    const warningsBefore = warnings.length;
    for (let index = 0; index < 3; index++) {
      const refused = connect(info.port, '127.0.0.1');
      assert.equal((await ending(refused)).code, 'ECONNRESET');
    }
    assert.equal(upstream.sockets.size, 2, 'nothing of a refused connection reaches the upstream');
    const busy = warnings.slice(warningsBefore).filter((line) => line.includes('BTP_FORWARD_BUSY'));
    assert.equal(busy.length, 1, 'one log line for a burst of refusals');
    assert.match(busy[0] ?? '', /maximum of 2 connections.*--max-connections/);
    await untilReported(info, 3);
    const state = manager.get(info.id);
    assert.equal(state?.counters.refused, 3);
    assert.equal(state?.lastError?.code, 'BTP_FORWARD_BUSY');

    // A slot is free again once its upstream has closed.
    first.destroy();
    await untilReported(info, 4);
    const third = await held(info.port);
    second.destroy();
    third.destroy();
    await manager.stop(info.id);
  });

  it('defaults to 128 connections', async () => {
    const info = await manager.start({ destination: 'echo' });
    assert.equal(info.maxConnections, 128);
    await manager.stop(info.id);
  });

  for (const value of [0, -1, 1.5, 4_097, Number.NaN]) {
    it(`refuses maxConnections ${value} and names the field`, async () => {
      await assert.rejects(manager.start({ destination: 'echo', maxConnections: value }), (error: unknown) => {
        assert.ok(error instanceof BtpError);
        assert.equal(error.code, 'BTP_INVALID_INPUT');
        assert.equal(error.field, 'maxConnections');
        assert.match(error.message, /from 1 to 4096/);
        return true;
      });
    });
  }
});

describe('WebSocket upgrades and maxConnections (D2 for HTTP forwards)', () => {
  it('holds maxConnections upgrades, answers the next 503 BTP_FORWARD_BUSY with Retry-After, and frees a slot when one closes', async () => {
    const echo = await startWebSocketEcho();
    try {
      destinations.define({ Name: 'ws', Type: 'HTTP', URL: `http://127.0.0.1:${echo.port}/socket`, ProxyType: 'Internet', Authentication: 'NoAuthentication' });
      const info = await manager.start({ destination: 'ws', allowWebSocket: true, maxConnections: 2 });
      const first = await upgradeRequest(info.port, {});
      const second = await upgradeRequest(info.port, {});
      assert.deepEqual([first.status, second.status], ['HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols']);
      const upgradesBefore = echo.upgrades.length;
      const refused = await rawExchange(
        info.port,
        `GET /socket HTTP/1.1\r\nHost: 127.0.0.1:${info.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
      assert.equal(statusOf(refused.text), 503);
      assert.match(refused.text, /\r\nretry-after: 1\r\n/i);
      assert.match(refused.text, /BTP_FORWARD_BUSY/);
      assert.equal(echo.upgrades.length, upgradesBefore, 'the refused upgrade reached the upstream');
      assert.equal(manager.get(info.id)?.counters.refused, 1);
      first.socket.destroy();
      await once(first.socket, 'close');
      // The slot comes back once the forward has seen its client go: a new upgrade may need a try or two.
      let status = '';
      for (let attempt = 0; attempt < 50 && status !== 'HTTP/1.1 101 Switching Protocols'; attempt++) {
        const next = await upgradeRequest(info.port, {});
        status = next.status;
        next.socket.destroy();
        if (status !== 'HTTP/1.1 101 Switching Protocols') await once(next.socket, 'close');
      }
      assert.equal(status, 'HTTP/1.1 101 Switching Protocols');
      second.socket.destroy();
      await manager.stop(info.id);
    } finally {
      await echo.close();
    }
  });
});
