import { connect, type Socket } from 'node:net';
import type { Child } from './children';

// 1,000 keep-alive connections held through one forward: each sends one request, reads the whole answer and
// stays open; then the forward process reports its RSS.

export interface IdleResult {
  readonly forward: 'http' | 'tcp';
  readonly connections: number;
  /** Still open when RSS was read. */
  readonly openAtMeasurement: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly growthMb: number;
  readonly openSeconds: number;
}

/** One GET on a fresh socket; resolves once the full response (Content-Length) has arrived, socket left open. */
function openOne(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(received.subarray(0, end).toString('latin1'))?.[1] ?? Number.NaN);
      if (received.length < end + 4 + length) return;
      socket.off('data', onData);
      if (!received.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200'))
        reject(new Error(`idle connection got ${received.subarray(0, 40).toString('latin1')}`));
      else resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`GET /json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
  });
}

const mb = (bytes: number) => bytes / 1e6;

export async function measureIdle(forward: Child, which: 'http' | 'tcp', port: number, count: number): Promise<IdleResult> {
  // The baseline is a forward that has served one request (parsers, pools and JIT exist on both sides of the sum).
  (await openOne(port)).destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = await forward.call<number>('rss');
  const sockets: Socket[] = [];
  let closed = 0;
  const started = performance.now();
  try {
    for (let batch = 0; batch < count; batch += 100) {
      const opened = await Promise.all(Array.from({ length: Math.min(100, count - batch) }, () => openOne(port)));
      for (const socket of opened) {
        socket.on('error', () => undefined);
        socket.once('close', () => closed++);
        sockets.push(socket);
      }
    }
    const openSeconds = (performance.now() - started) / 1000;
    // Let the forward settle (buffers released, sockets idle), well within its 5 s keep-alive timeout.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await forward.call<number>('rss');
    return {
      forward: which,
      connections: count,
      openAtMeasurement: sockets.length - closed,
      rssBeforeMb: mb(before),
      rssAfterMb: mb(after),
      growthMb: mb(after - before),
      openSeconds,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
