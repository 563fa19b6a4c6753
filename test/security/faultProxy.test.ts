import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { FaultProxy } from '../support/faultProxy';

// The fault proxy's own proof: each toggle against a real loopback echo server, so that the fault tests that use
// it test the product and not a proxy that silently does nothing.

let echo: Server;
let echoPort = 0;
const echoSockets = new Set<Socket>();
/** Bytes the echo server received, over all connections; the FINs it got ('end') and when data came ('data'). */
let echoReceived = 0;
const echoEnds = new EventEmitter();
let proxy: FaultProxy;

before(async () => {
  // allowHalfOpen: the echo answers what it got and only then passes the FIN back.
  echo = createServer({ allowHalfOpen: true }, (socket) => {
    echoSockets.add(socket);
    socket.once('close', () => echoSockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      echoReceived += chunk.length;
      echoEnds.emit('data', performance.now());
    });
    socket.on('end', () => echoEnds.emit('end'));
    socket.pipe(socket);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
});
after(async () => {
  for (const socket of echoSockets) socket.destroy();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});
beforeEach(async () => {
  echoReceived = 0;
  proxy = await FaultProxy.start({ port: echoPort });
});
afterEach(async () => {
  await proxy.close();
  assert.equal(proxy.stats.active, 0);
});

async function open(): Promise<Socket> {
  const socket = connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Reads until `length` bytes came, or the socket ended/closed first; also reports how the socket ended. */
function read(socket: Socket, length: number): Promise<{ data: Buffer; chunks: number; ended: boolean }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const finish = (ended: boolean) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      resolve({ data: Buffer.concat(parts), chunks: parts.length, ended });
    };
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= length) finish(false);
    };
    const onEnd = () => finish(true);
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

/** The error (or none) with which a socket closes, and when. */
function closing(socket: Socket): Promise<{ code: string | undefined; at: number }> {
  return new Promise((resolve) => {
    let code: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => (code ??= error.code));
    socket.once('close', () => resolve({ code, at: performance.now() }));
  });
}

async function roundTrip(socket: Socket, text: string): Promise<number> {
  const started = performance.now();
  const answer = read(socket, text.length);
  socket.write(text);
  assert.equal((await answer).data.toString(), text);
  return performance.now() - started;
}

describe('fault proxy', () => {
  it('without faults relays both ways, passes the FIN on, and counts connections and bytes', async () => {
    const socket = await open();
    await roundTrip(socket, 'hello');
    assert.deepEqual(proxy.stats.bytes, { up: 5, down: 5 });
    assert.equal(proxy.stats.connections, 1);
    assert.equal(proxy.stats.active, 1);
    const closed = closing(socket);
    const rest = read(socket, 1);
    socket.end();
    assert.equal((await rest).ended, true, 'the echo’s FIN came back through the proxy');
    assert.equal((await closed).code, undefined);
    await proxy.until((stats) => stats.active === 0);
  });

  it('latency per chunk delays every chunk in each direction, and can be switched at run time', async () => {
    const socket = await open();
    const delayed = () => proxy.stats.delayed.up + proxy.stats.delayed.down;
    const start = delayed();
    await roundTrip(socket, 'fast');
    assert.equal(delayed(), start, 'nothing held back without latency');
    proxy.latency = { ms: 150, per: 'chunk' };
    const slow = await roundTrip(socket, 'slow');
    assert.ok(slow >= 2 * 150 - 5, `round trip ${slow} ms with 150 ms per chunk and direction`);
    assert.ok(proxy.stats.delayed.up >= 1 && proxy.stats.delayed.down >= 1, 'held back both ways');
    proxy.latency = undefined;
    const switchedOff = delayed();
    await roundTrip(socket, 'fast again');
    assert.equal(delayed(), switchedOff, 'nothing held back once switched off');
    socket.destroy();
  });

  it('latency and drip can be limited to one direction', async () => {
    const socket = await open();
    proxy.latency = { ms: 200, per: 'chunk', only: 'down' };
    const before = { ...proxy.stats.delayed };
    const arrived = once(echoEnds, 'data') as Promise<[number]>;
    const sent = performance.now();
    const total = await roundTrip(socket, 'one way');
    const [upArrived] = await arrived;
    const downMs = sent + total - upArrived;
    // Down is delayed by its 200 ms (a lower bound, whatever the machine's speed); up is not delayed at all, which the
    // proxy's own count shows without a clock.
    assert.ok(downMs >= 195, `down ${downMs} ms with 200 ms on the way down`);
    assert.equal(proxy.stats.delayed.up - before.up, 0, 'no chunk on the way up was held back');
    assert.ok(proxy.stats.delayed.down - before.down >= 1, 'the answer on the way down was held back');
    proxy.latency = undefined;
    proxy.drip = { bytes: 1, intervalMs: 30, only: 'up' };
    const answer = read(socket, 10);
    const started = performance.now();
    socket.write('0123456789');
    // Dripped up one byte at a time, each echoed at once: the bytes come back spread out, in pieces.
    const got = await answer;
    assert.equal(got.data.toString(), '0123456789');
    assert.ok(got.chunks >= 5, `${got.chunks} chunks`);
    assert.ok(performance.now() - started >= 10 * 30 - 10);
    socket.destroy();
  });

  it('latency per connection delays the set-up once, not each chunk', async () => {
    proxy.latency = { ms: 300, per: 'connection' };
    // Timed from before the connect: the wait starts when the proxy accepts, which a busy machine reports late.
    const started = performance.now();
    const socket = await open();
    await roundTrip(socket, 'first');
    const first = performance.now() - started;
    assert.ok(first >= 295, `connect and first round trip ${first} ms`);
    let rest = 0;
    for (let index = 0; index < 5; index++) rest += await roundTrip(socket, `again ${index}`);
    assert.ok(rest < 5 * 300, `five more round trips took ${rest} ms`);
    socket.destroy();
  });

  it('blackhole reads everything and forwards nothing; switched off, traffic flows again', async () => {
    const socket = await open();
    await roundTrip(socket, 'before');
    proxy.blackhole = true;
    const swallowed = Buffer.alloc(4 * 1024 * 1024, 1);
    socket.write(swallowed);
    // All of it is read (the sender is not stuck on a full window), none of it reaches the echo.
    await proxy.until((stats) => stats.dropped.up === swallowed.length);
    assert.equal(echoReceived, 'before'.length);
    proxy.blackhole = false;
    // The first bytes back are the new ones: nothing of the 4 MiB was queued somewhere.
    assert.ok((await roundTrip(socket, 'after')) >= 0);
    assert.equal(echoReceived, 'before'.length + 'after'.length);
    socket.destroy();
  });

  it('reset now sends RST to both sides of every open connection', async () => {
    const socket = await open();
    await roundTrip(socket, 'x');
    const [server] = echoSockets;
    assert.ok(server);
    const clientClosed = closing(socket);
    const serverClosed = closing(server);
    const started = performance.now();
    proxy.resetAll();
    const client = await clientClosed;
    assert.equal(client.code, 'ECONNRESET');
    assert.ok(client.at - started < 1_000);
    assert.equal((await serverClosed).code, 'ECONNRESET');
    assert.equal(proxy.stats.resets, 1);
  });

  it('reset next resets the next connection only; the one after works', async () => {
    proxy.resetNext(1);
    const first = await open();
    assert.equal((await closing(first)).code, 'ECONNRESET');
    const second = await open();
    await roundTrip(second, 'fine');
    assert.equal(proxy.stats.resets, 1);
    proxy.resetNext(Infinity);
    const third = await open();
    assert.equal((await closing(third)).code, 'ECONNRESET');
    proxy.resetNext(0);
    const fourth = await open();
    await roundTrip(fourth, 'fine again');
    assert.equal(proxy.stats.resets, 2);
    second.destroy();
    fourth.destroy();
  });

  it('close after N bytes up: the target gets exactly N bytes, then both sides get a FIN', async () => {
    proxy.closeAfter = { up: 10 };
    const socket = await open();
    const answer = read(socket, 100);
    const targetEnded = once(echoEnds, 'end');
    socket.write('0123456789abcdefghijklmno');
    await targetEnded;
    assert.equal(echoReceived, 10);
    // Cut at once: the echo of those 10 bytes never makes it back.
    const got = await answer;
    assert.equal(got.data.length, 0);
    assert.equal(got.ended, true, 'a FIN, not a reset (a reset errors before any end)');
    assert.equal(proxy.stats.cuts, 1);
    socket.destroy();
  });

  it('close after N bytes down: the client gets exactly N bytes, then a FIN', async () => {
    proxy.closeAfter = { down: 5 };
    const socket = await open();
    const answer = read(socket, 100);
    socket.write('hello world');
    const got = await answer;
    assert.equal(got.data.toString(), 'hello');
    assert.equal(got.ended, true);
    socket.destroy();
  });

  it('cut all closes every open connection with a FIN on both sides', async () => {
    const socket = await open();
    await roundTrip(socket, 'x');
    const targetEnded = once(echoEnds, 'end');
    const ended = read(socket, 1);
    proxy.cutAll();
    assert.equal((await ended).ended, true);
    await targetEnded;
    assert.equal(proxy.stats.cuts, 1);
    assert.equal(proxy.stats.resets, 0);
    socket.destroy();
  });

  it('idle cutoff closes a quiet connection, counting from the last byte, also when set on an open one', async () => {
    const socket = await open();
    proxy.idleCutoffMs = 300;
    // Busy for longer than the cutoff: 100 ms per chunk keeps the gaps below 300 ms.
    proxy.latency = { ms: 100, per: 'chunk' };
    const busyStarted = performance.now();
    for (let index = 0; index < 4; index++) await roundTrip(socket, `busy ${index}`);
    assert.ok(performance.now() - busyStarted > 300, 'premise: busy for longer than the cutoff, and not cut');
    // The last exchange without latency: its last byte reaches us as the proxy passes it on, and the cutoff counts
    // from there. Half the cutoff as the lower bound leaves room for a busy machine between the proxy and us; the
    // upper bound is ten times the cutoff, against one that never comes.
    proxy.latency = undefined;
    await roundTrip(socket, 'last');
    const lastByte = performance.now();
    const ended = await read(socket, 1);
    assert.equal(ended.ended, true, 'a FIN');
    const quiet = performance.now() - lastByte;
    assert.ok(quiet >= 150 && quiet < 3_000, `closed after ${quiet} ms of quiet`);
    assert.equal(proxy.stats.cuts, 1);
    socket.destroy();
  });

  it('slow drip forwards N bytes per interval, in order', async () => {
    proxy.drip = { bytes: 4, intervalMs: 25 };
    const socket = await open();
    const text = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
    const answer = read(socket, text.length);
    const started = performance.now();
    socket.write(text);
    const got = await answer;
    const took = performance.now() - started;
    assert.equal(got.data.toString(), text);
    assert.ok(got.chunks >= 5, `${got.chunks} chunks`);
    // 10 pieces up, each after a 25 ms wait (the echoes drip back down meanwhile).
    assert.ok(took >= 10 * 25 - 10, `took ${took} ms`);
    socket.destroy();
  });

  it('a failing target passes a reset to the client', async () => {
    const spare = createServer();
    spare.listen(0, '127.0.0.1');
    await once(spare, 'listening');
    const port = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const nowhere = await FaultProxy.start({ port });
    try {
      const socket = connect(nowhere.port, '127.0.0.1');
      const result = await closing(socket);
      assert.equal(result.code, 'ECONNRESET');
    } finally {
      await nowhere.close();
    }
  });

  it('close() with open connections and pending timers leaves no handle behind', async () => {
    await loopTurns();
    const baseline = resources();
    const busy = await FaultProxy.start({ port: echoPort });
    busy.drip = { bytes: 1, intervalMs: 10_000 };
    busy.idleCutoffMs = 60_000;
    const socket = connect(busy.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write('held in a drip');
    await busy.until((stats) => stats.active === 1);
    const slowSetup = await FaultProxy.start({ port: echoPort });
    slowSetup.latency = { ms: 60_000, per: 'connection' };
    const held = connect(slowSetup.port, '127.0.0.1');
    held.on('error', () => undefined);
    await slowSetup.until((stats) => stats.connections === 1);
    const socketClosed = closing(socket);
    const heldClosed = closing(held);
    await Promise.all([busy.close(), slowSetup.close()]);
    await Promise.all([socketClosed, heldClosed]);
    assert.equal(busy.stats.active + slowSetup.stats.active, 0);
    await loopTurns();
    assert.deepEqual(resources(), baseline);
  });
});

/** 'close' is emitted before libuv's close phase has run: closed handles leave the list a loop turn later. */
async function loopTurns(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** Handles and timers of the process, by type (what keeps it alive). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}
