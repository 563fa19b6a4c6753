import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DelayProxy } from '../../../bench/delayProxy';

// The WAN scenario's link: its figures are only as good as the delay it really adds, in order, per round trip.

const oneWayMs = 40;
let echo: ReturnType<typeof createServer>;
let proxy: DelayProxy;

before(async () => {
  echo = createServer((socket) => socket.pipe(socket)).listen(0, '127.0.0.1');
  await once(echo, 'listening');
  proxy = await DelayProxy.start({ port: (echo.address() as AddressInfo).port }, oneWayMs);
});

after(async () => {
  await proxy.close();
  echo.close();
});

function readBytes(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < count) return;
      socket.off('data', onData);
      resolve(Buffer.concat(chunks));
    };
    socket.on('data', onData);
  });
}

test('a new connection costs a handshake round trip before its first exchange, a warm exchange one round trip', async () => {
  const socket = connect({ port: proxy.port, host: '127.0.0.1' });
  try {
    const started = performance.now();
    socket.write('a');
    await readBytes(socket, 1);
    const cold = performance.now() - started;
    // Lower bounds only: the delay is what the proxy guarantees; a busy machine may add to it.
    assert.ok(cold >= 4 * oneWayMs - 2, `first exchange took ${cold.toFixed(1)} ms, expected ≥ 2 round trips`);
    const warmStarted = performance.now();
    socket.write('b');
    await readBytes(socket, 1);
    const warm = performance.now() - warmStarted;
    assert.ok(warm >= 2 * oneWayMs - 2, `warm exchange took ${warm.toFixed(1)} ms, expected ≥ 1 round trip`);
    assert.equal(proxy.accepted.length >= 1, true);
  } finally {
    socket.destroy();
  }
});

test('chunks pass in order, and a burst is delayed once, not once per chunk', async () => {
  const socket = connect({ port: proxy.port, host: '127.0.0.1', noDelay: true });
  try {
    await once(socket, 'connect');
    const pieces = Array.from({ length: 200 }, (_unused, index) => Buffer.from(`${index.toString().padStart(4, '0')};`));
    const expected = Buffer.concat(pieces);
    const received = readBytes(socket, expected.length);
    const started = performance.now();
    for (const piece of pieces) socket.write(piece);
    assert.deepEqual((await received).toString(), expected.toString());
    // Waits one after another would take 200 × 2 × 40 ms = 16 s; a generous bound that any machine meets.
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 50 * oneWayMs, `200 chunks took ${elapsed.toFixed(0)} ms`);
  } finally {
    socket.destroy();
  }
});
