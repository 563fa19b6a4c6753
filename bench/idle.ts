import { connect, type Socket } from 'node:net';
import type { Child } from './children';

// 1,000 keep-alive connections held through one forward (10,000 through several forwards of one process): each
// sends one request, reads the whole answer and stays open; then the forward process reports its RSS.

export interface IdleResult {
  readonly forward: 'http' | 'tcp';
  /** Forwards of the one process the connections were spread over (1 unless above one forward's ceiling). */
  readonly forwards: number;
  /** The 10,000-connection memory target's measurement, not the 1,000 through one forward. */
  readonly many?: boolean;
  readonly connections: number;
  /** Still open when RSS was read. */
  readonly openAtMeasurement: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly growthMb: number;
  readonly openSeconds: number;
}

/** A fresh socket to `port`, connected. */
function connectOne(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
}

/** One GET on a connected socket; resolves once the full response (Content-Length) has arrived, socket left open. */
function requestOne(socket: Socket, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
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
    socket.write(`GET /json HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  });
}

const mb = (bytes: number) => bytes / 1e6;

/**
 * `count` connections spread over `ports` (forwards of one process). All are connected first, then each sends its
 * request: the HTTP forward closes a connection 5 s after its answer (keepAliveTimeout), and 10,000 connects and
 * requests one after the other would take longer than that on a slow machine.
 */
export async function measureIdle(forward: Child, which: 'http' | 'tcp', ports: readonly number[], count: number, many = false): Promise<IdleResult> {
  const portOf = (index: number) => ports[index % ports.length] as number;
  // The baseline is a forward that has served one request (parsers, pools and JIT exist on both sides of the sum).
  for (const port of ports) (await requestOne(await connectOne(port), port)).destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = await forward.call<number>('rss');
  const sockets: Socket[] = [];
  let closed = 0;
  const started = performance.now();
  try {
    for (let batch = 0; batch < count; batch += 250) {
      const opened = await Promise.all(Array.from({ length: Math.min(250, count - batch) }, (_item, index) => connectOne(portOf(batch + index))));
      for (const socket of opened) {
        socket.on('error', () => undefined);
        socket.once('close', () => closed++);
        sockets.push(socket);
      }
    }
    for (let batch = 0; batch < count; batch += 250) {
      await Promise.all(sockets.slice(batch, batch + 250).map((socket, index) => requestOne(socket, portOf(batch + index))));
    }
    const openSeconds = (performance.now() - started) / 1000;
    // Let the forward settle (buffers released, sockets idle), well within its 5 s keep-alive timeout.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await forward.call<number>('rss');
    return {
      forward: which,
      forwards: ports.length,
      ...(many ? { many } : {}),
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
