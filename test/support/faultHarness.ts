import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { DestinationServiceClient } from '../../src/core/destinationService/client';
import type { DestinationRecord, FindResult } from '../../src/core/destinationService/types';
import type { ForwardManager } from '../../src/core/forward/forwardManager';
import type { HttpForward } from '../../src/core/forward/httpForward';
import type { TcpForward } from '../../src/core/forward/tcpForward';

/** Shared pieces of the fault tests: destinations from memory, the forward's own server, and socket endings. */

export interface MemoryDestinations {
  readonly client: Pick<DestinationServiceClient, 'find'>;
  define(record: DestinationRecord): void;
}

/** find-destination answered from a map: Internet destinations need no Destination service. */
export function memoryDestinations(): MemoryDestinations {
  const records = new Map<string, FindResult>();
  return {
    client: { find: async (name) => records.get(name) },
    define: (record) => void records.set(record.Name ?? '', { destinationConfiguration: record }),
  };
}

/**
 * The listening server of a running forward. Private on purpose in the product; the tests read it to prove, with
 * `getConnections`, that no client connection outlives a fault.
 */
export function forwardServer(manager: ForwardManager, id: string): Server {
  const entries = manager['entries'] as Map<string, { listener: HttpForward | TcpForward }>;
  const listener = entries.get(id)?.listener;
  if (!listener) throw new Error(`no forward ${id}`);
  return (listener as unknown as { server: Server }).server;
}

export function connectionCount(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/**
 * Watches a server's accepted sockets from now on; `settled()` resolves once every one of them has closed
 * (events, not polling) and then returns `getConnections()`, which must be 0.
 */
export function trackConnections(server: Server): { latest(): Socket | undefined; settled(timeoutMs?: number): Promise<number> } {
  const open = new Set<Socket>();
  let last: Socket | undefined;
  server.on('connection', (socket: Socket) => {
    last = socket;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return {
    /** The forward's side of the most recent client connection. */
    latest: () => last,
    async settled(timeoutMs = 5_000) {
      const closes = [...open].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      await withTimeout(Promise.all(closes), timeoutMs, `${open.size} forward connection(s) still open`);
      return connectionCount(server);
    },
  };
}

/** How a socket finished: the first error code (undefined for a clean FIN/close), when, and whether 'end' came first. */
export interface Ending {
  readonly code: string | undefined;
  readonly endedFirst: boolean;
  readonly at: number;
}

export function ending(socket: Socket): Promise<Ending> {
  return new Promise((resolve) => {
    let code: string | undefined;
    let ended = false;
    socket.on('end', () => (ended = true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      code ??= error.code;
    });
    socket.once('close', () => resolve({ code, endedFirst: ended && code === undefined, at: performance.now() }));
  });
}

export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * A raw TCP server whose behaviour per connection is a function the test swaps; tracks and destroys its sockets.
 * Not half-open: a peer's FIN closes the connection, so that `allClosed` can wait for it.
 */
export async function rawServer(
  onConnection: (socket: Socket) => void,
): Promise<{ port: number; server: Server; sockets: Set<Socket>; allClosed(timeoutMs?: number): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  const port = await listen(server);
  return {
    port,
    server,
    sockets,
    async allClosed(timeoutMs = 2_000) {
      const closes = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      await withTimeout(Promise.all(closes), timeoutMs, `${sockets.size} upstream connection(s) still open`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} (after ${ms} ms)`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A repeatable byte pattern (not all zeros, so that shifted or repeated data changes the digest). */
export function patternBlock(size = 1024 * 1024): Buffer {
  const block = Buffer.alloc(size);
  for (let index = 0; index < size; index++) block[index] = (index * 31 + 7) & 0xff;
  return block;
}

/**
 * Waits, one event-loop turn at a time, until `condition` holds: for state that has no event (a socket's queue
 * length). Bounded; a turn is not a sleep, and nothing is assumed about how long anything takes.
 */
export async function untilTrue(condition: () => boolean, what: string, maxMs = 5_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not reached in ${maxMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
