import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ForwardManager, type ForwardInfo } from '../../../src/core/forward/forwardManager';
import { FaultProxy } from '../../support/faultProxy';
import { ending, forwardServer, memoryDestinations, patternBlock, rawServer, trackConnections, untilTrue, withTimeout } from '../../support/faultHarness';

// AC-24: an upstream RST or FIN reaches the client of a TCP or HTTP forward as what it is, in time, and no
// connection is left behind. The fault proxy sits between the forward and a raw upstream:
//   client → forward (127.0.0.1:PORT) → fault proxy → upstream

type Behaviour = (socket: Socket) => void;
let behaviour: Behaviour = () => undefined;
let upstream: Awaited<ReturnType<typeof rawServer>>;
let proxy: FaultProxy;
let manager: ForwardManager;
let forward: ForwardInfo;
let tracker: ReturnType<typeof trackConnections>;
const destinations = memoryDestinations();
const mib = 1024 * 1024;

before(async () => {
  upstream = await rawServer((socket) => behaviour(socket));
  manager = new ForwardManager({ client: destinations.client });
});
after(async () => {
  await manager.dispose();
  await upstream.close();
});
beforeEach(async () => {
  proxy = await FaultProxy.start({ port: upstream.port });
  destinations.define({ Name: 'tcp-faulty', Type: 'TCP', Address: `127.0.0.1:${proxy.port}`, ProxyType: 'Internet' });
  destinations.define({ Name: 'http-faulty', Type: 'HTTP', URL: `http://127.0.0.1:${proxy.port}`, ProxyType: 'Internet', Authentication: 'NoAuthentication' });
});
afterEach(async () => {
  // No client connection of the forward outlives the test, and stopping it leaves nothing open upstream.
  assert.equal(await tracker.settled(), 0, 'forward connections left open');
  await manager.stop(forward.id);
  await proxy.until((stats) => stats.active === 0, 5_000);
  await proxy.close();
  await upstream.allClosed();
});

async function start(destination: 'tcp-faulty' | 'http-faulty'): Promise<ForwardInfo> {
  forward = await manager.start({ destination });
  tracker = trackConnections(forwardServer(manager, forward.id));
  return forward;
}

async function openClient(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

function echo(socket: Socket): void {
  socket.pipe(socket);
}

/** Resolves with the next `length` bytes (or fewer if the socket ends). */
function readBytes(socket: Socket, length: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => {
      socket.off('data', onData);
      socket.off('end', done);
      resolve(Buffer.concat(parts));
    };
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= length) done();
    };
    socket.on('data', onData);
    socket.on('end', done);
  });
}

describe('TCP forward: upstream RST and FIN', () => {
  it('an upstream RST mid-stream reaches the client as a RST within 1 s, counted as an error', async () => {
    behaviour = echo;
    const info = await start('tcp-faulty');
    const client = await openClient(info.port);
    client.write('hello');
    assert.equal((await readBytes(client, 5)).toString(), 'hello');
    const ended = ending(client);
    const resetAt = performance.now();
    proxy.resetAll();
    const result = await withTimeout(ended, 1_000, 'client still open 1 s after the upstream reset');
    assert.equal(result.code, 'ECONNRESET', 'a reset, not a FIN: the client must not take it for a complete answer');
    assert.ok(result.at - resetAt < 1_000);
    const state = manager.get(info.id);
    assert.equal(state?.counters.errors, 1);
    assert.equal(state?.lastError?.code, 'ECONNRESET');
  });

  it('the RST also reaches a client that has half-closed and is waiting for the answer', async () => {
    let received = 0;
    const gotAll = new Promise<void>((resolve) => {
      // Reads the request and never answers: the client waits on its half-open connection.
      behaviour = (socket) => socket.on('data', (chunk: Buffer) => (received += chunk.length) === 7 && resolve());
    });
    const info = await start('tcp-faulty');
    const client = await openClient(info.port);
    const ended = ending(client);
    client.end('request');
    await gotAll;
    proxy.resetAll();
    const result = await withTimeout(ended, 1_000, 'half-closed client still open 1 s after the upstream reset');
    assert.equal(result.code, 'ECONNRESET');
  });

  it('a client RST reaches the upstream as a RST', async () => {
    let upstreamSocket: Socket | undefined;
    const connected = new Promise<void>((resolve) => {
      behaviour = (socket) => {
        upstreamSocket = socket;
        echo(socket);
        resolve();
      };
    });
    const info = await start('tcp-faulty');
    const client = await openClient(info.port);
    client.write('x');
    await readBytes(client, 1);
    await connected;
    assert.ok(upstreamSocket);
    const upstreamEnded = ending(upstreamSocket);
    client.resetAndDestroy();
    const result = await withTimeout(upstreamEnded, 1_000, 'upstream still open 1 s after the client reset');
    assert.equal(result.code, 'ECONNRESET');
  });

  it('an upstream FIN reaches the client only after every byte before it (a paused client drains first)', async () => {
    const block = patternBlock(64 * 1024);
    // Writes the pattern until the connection goes: the fault proxy cuts it with a FIN after exactly 1 MiB.
    behaviour = (socket) => {
      const pump = () => {
        while (!socket.destroyed && socket.write(block));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    };
    proxy.closeAfter = { down: mib };
    const info = await start('tcp-faulty');
    const cut = once(proxy, 'cut');
    const client = await openClient(info.port);
    client.pause();
    // The client reads nothing until the FIN has left the fault proxy: the forward holds data and FIN together.
    await cut;
    const ended = ending(client);
    const hash = createHash('sha256');
    let size = 0;
    client.on('data', (chunk: Buffer) => {
      size += chunk.length;
      hash.update(chunk);
    });
    client.resume();
    await withTimeout(once(client, 'end'), 5_000, 'no FIN after the data');
    assert.equal(size, mib);
    const expected = createHash('sha256');
    for (let offset = 0; offset < mib; offset += block.length) expected.update(block);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
    // `once(client, 'end')` would have rejected on an error before the end: the FIN came clean.
    client.end();
    await ended;
  });

  it('an upstream RST after its FIN, while the FIN to a slow client is still queued, closes the client and leaks nothing', async () => {
    const connected = new Promise<Socket>((resolve) => (behaviour = resolve));
    const info = await start('tcp-faulty');
    const client = await openClient(info.port);
    // The client reads nothing for now: the forward's writes to it back up.
    client.pause();
    const upstreamSocket = await connected;
    const toClient = tracker.latest();
    assert.ok(toClient);
    // Small blocks until the forward has bytes queued for the client (its kernel buffers are full), but fewer
    // than the 16 KiB at which it would stop reading the upstream: then the upstream's FIN is read at once.
    const block = patternBlock(2 * 1024);
    let fed = 0;
    for (let stuckTurns = 0; stuckTurns < 3;) {
      upstreamSocket.write(block);
      fed += block.length;
      await untilTrue(() => toClient.bytesWritten >= fed, 'the forward passes the block on');
      for (stuckTurns = 0; stuckTurns < 3 && toClient.writableLength > 0; stuckTurns++) await new Promise((resolve) => setImmediate(resolve));
      assert.ok(fed < 256 * mib, 'the client side never backed up');
    }
    upstreamSocket.end();
    await untilTrue(() => toClient.writableEnded, 'the forward passes the FIN on');
    assert.equal(toClient.writableFinished, false, 'premise: the FIN to the client is still queued behind data');
    // Now the upstream connection breaks; the forward notices on its next write to it.
    proxy.resetAll();
    const ended = ending(client);
    client.write('more');
    client.resume();
    const result = await withTimeout(ended, 2_000, 'client connection still open 2 s after the upstream reset');
    // The response was complete (FIN first), but 'more' never reached the upstream: only a RST says so.
    assert.equal(result.code, 'ECONNRESET');
    assert.equal(await tracker.settled(2_000), 0, 'the forward still holds the client connection');
  });
});

/** A request through the forward with Node's client (so that incomplete bodies are visible), on its own connection. */
function get(port: number, path: string): Promise<{ res: IncomingMessage; started: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => resolve({ res, started }));
    req.on('error', reject);
    req.end();
  });
}

/** Reads a response to its end: its bytes, whether Node saw it complete, and the error that cut it short. */
function drain(res: IncomingMessage): Promise<{ body: Buffer; complete: boolean; error: string | undefined; at: number }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let error: string | undefined;
    res.on('data', (chunk: Buffer) => parts.push(chunk));
    res.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code ?? failure.message));
    res.once('close', () => resolve({ body: Buffer.concat(parts), complete: res.complete, error, at: performance.now() }));
  });
}

/** Answers each HTTP request on a raw socket with `head` and then whatever `body` does with the socket. */
function rawHttp(answer: (socket: Socket) => void): Behaviour {
  return (socket) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      answer(socket);
    };
    socket.on('data', onData);
  };
}

describe('HTTP forward: upstream RST and FIN', () => {
  it('an upstream RST before the response head gives a 502 JSON error within 1 s; the forward keeps serving', async () => {
    let requests = 0;
    const arrived = new Promise<void>((resolve) => {
      behaviour = rawHttp(() => {
        requests++;
        resolve();
      });
    });
    const info = await start('http-faulty');
    const pending = get(info.port, '/first');
    await arrived;
    const resetAt = performance.now();
    proxy.resetAll();
    const { res } = await withTimeout(pending, 1_000, 'no answer 1 s after the upstream reset');
    const answer = await drain(res);
    assert.equal(res.statusCode, 502);
    assert.ok(answer.at - resetAt < 1_000);
    const error = (JSON.parse(answer.body.toString()) as { error: { code: string; message: string } }).error;
    assert.equal(typeof error.code, 'string');
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
    assert.equal(requests, 1, 'a GET that met a reset is not silently repeated');
    behaviour = rawHttp((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
    const next = await get(info.port, '/second');
    assert.equal(next.res.statusCode, 200);
    assert.equal((await drain(next.res)).body.toString(), 'ok');
  });

  it('an upstream RST mid-body cuts the client response short within 1 s: never a complete response', async () => {
    const sent = new Promise<void>((resolve) => {
      behaviour = rawHttp((socket) => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${mib}\r\n\r\n`);
        socket.write(patternBlock(64 * 1024), () => resolve());
      });
    });
    const info = await start('http-faulty');
    const { res } = await get(info.port, '/partial');
    assert.equal(res.statusCode, 200);
    const answer = drain(res);
    await sent;
    // The first bytes are through before the reset.
    await once(res, 'data');
    const resetAt = performance.now();
    proxy.resetAll();
    const result = await withTimeout(answer, 1_000, 'client response still open 1 s after the upstream reset');
    assert.equal(result.complete, false);
    assert.ok(result.body.length < mib);
    assert.ok(result.at - resetAt < 1_000);
  });

  it('an upstream FIN before Content-Length is reached is not passed off as a complete response', async () => {
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${mib}\r\n\r\n`;
    behaviour = rawHttp((socket) => {
      socket.write(head);
      socket.write(patternBlock(mib));
    });
    // The connection is cut (FIN) half-way through the body.
    proxy.closeAfter = { down: head.length + mib / 2 };
    const info = await start('http-faulty');
    const { res } = await get(info.port, '/truncated');
    const result = await withTimeout(drain(res), 5_000, 'truncated response never finished');
    assert.equal(result.complete, false, `the client got ${result.body.length} bytes and a complete response`);
    assert.ok(result.body.length <= mib / 2);
  });

  it('a close-delimited body ends cleanly with every byte when the upstream sends its FIN (client paused meanwhile)', async () => {
    const body = patternBlock(128 * 1024);
    let upstreamDone: Promise<unknown> = Promise.resolve();
    behaviour = rawHttp((socket) => {
      // No Content-Length, no chunking: the FIN is the end of the body (RFC 9112 §6.3).
      upstreamDone = new Promise((resolve) => socket.once('close', resolve));
      socket.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), body]));
    });
    const info = await start('http-faulty');
    const { res } = await get(info.port, '/close-delimited');
    res.pause();
    await proxy.until((stats) => stats.bytes.down > body.length && stats.active === 0, 5_000);
    await upstreamDone;
    const reading = drain(res);
    res.resume();
    const result = await reading;
    assert.equal(result.complete, true);
    assert.equal(result.error, undefined);
    assert.equal(createHash('sha256').update(result.body).digest('hex'), createHash('sha256').update(body).digest('hex'));
  });

  it('AC-13: an upstream RST after the response head, while the request body is still streaming, does not crash the process', async () => {
    const uncaught: Error[] = [];
    const record = (error: Error) => uncaught.push(error);
    process.on('uncaughtExceptionMonitor', record);
    try {
      const headSent = new Promise<void>((resolve) => {
        // Answers at once and streams back whatever comes: the request body is still open when the reset hits.
        behaviour = rawHttp((socket) => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nhead\r\n', () => resolve());
        });
      });
      const info = await start('http-faulty');
      const req = httpRequest({
        host: '127.0.0.1',
        port: info.port,
        path: '/upload',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream' },
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(16 * 1024, 1));
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      await headSent;
      const answer = drain(res);
      proxy.resetAll();
      const result = await withTimeout(answer, 1_000, 'client response still open 1 s after the upstream reset');
      assert.equal(result.complete, false);
      // The crash comes when the forward's response has closed: give it those turns of the loop.
      await tracker.settled();
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        uncaught.map((error) => error.message),
        [],
      );
    } finally {
      process.off('uncaughtExceptionMonitor', record);
    }
  });
});
