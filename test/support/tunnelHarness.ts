import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { createLogger, type Logger } from '../../src/core/log';
import type { TunnelState, TunnelStateDetail } from '../../src/core/tunnel/types';
import type { TunnelSupervisor } from '../../src/core/tunnel/supervisor';

// Shared pieces of the tunnel tests: loopback echo servers, the fake cf/kubectl environment, and waiting on
// tunnel states and sockets through events (never through sleeps).

export const fakeBin = join(__dirname, 'fakeBin');

export interface EchoServer {
  readonly port: number;
  readonly name: string;
  close(): Promise<void>;
}

/** A loopback server that greets with "hello from <name>\n" and then echoes everything back. */
export async function startEchoServer(name: string): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`hello from ${name}\n`);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    name,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects, reads the greeting, sends `message` and reads it back. */
export async function exchange(port: number, message: string): Promise<{ greeting: string; echo: string }> {
  const socket = await openClient(port);
  try {
    const greeting = await socket.readLine();
    socket.socket.write(message);
    const echo = await socket.read(message.length);
    return { greeting, echo };
  } finally {
    socket.socket.destroy();
  }
}

export interface Client {
  readonly socket: Socket;
  readLine(): Promise<string>;
  read(length: number): Promise<string>;
  /** Resolves when the socket closes, with whatever error ended it. */
  readonly closed: Promise<{ error: NodeJS.ErrnoException | undefined; received: string }>;
}

export async function openClient(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  let buffer = '';
  let received = '';
  let lastError: NodeJS.ErrnoException | undefined;
  const waiters: (() => void)[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    received += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', (error) => (lastError = error));
  const closed = new Promise<{ error: NodeJS.ErrnoException | undefined; received: string }>((resolve) =>
    socket.once('close', () => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ error: lastError, received });
    }),
  );
  await once(socket, 'connect');
  const take = async (ready: () => number): Promise<string> => {
    for (;;) {
      const end = ready();
      if (end >= 0) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end);
        return text;
      }
      if (socket.destroyed) throw lastError ?? new Error(`socket closed; received ${JSON.stringify(received)}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    socket,
    closed,
    readLine: async () => (await take(() => (buffer.includes('\n') ? buffer.indexOf('\n') + 1 : -1))).trimEnd(),
    read: (length) => take(() => (buffer.length >= length ? length : -1)),
  };
}

/** Environment for a tunnel child: the fake cf and kubectl first on PATH, controlled through `dir`. */
export function fakeEnv(dir: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`, FAKE_TUNNEL_DIR: dir, ...extra };
}

export interface SpawnRecord {
  readonly tool: string;
  readonly pid: number;
  readonly argv: string[];
}

/** What the fakes logged about their starts in `dir`. */
export function spawns(dir: string): SpawnRecord[] {
  const file = join(dir, 'spawns.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SpawnRecord);
}

export interface StateLog {
  readonly entries: { state: TunnelState; at: number; detail: TunnelStateDetail | undefined }[];
  /** Resolves at the next entry of `state` after index `from` (default: the next one from now). */
  next(state: TunnelState, timeoutMs?: number, from?: number): Promise<{ at: number; detail: TunnelStateDetail | undefined }>;
}

export function recordStates(supervisor: TunnelSupervisor): StateLog {
  const entries: StateLog['entries'] = [];
  const waiters = new Set<() => void>();
  supervisor.onDidChangeState((state, detail) => {
    entries.push({ state, at: Date.now(), detail });
    for (const wake of [...waiters]) wake();
  });
  return {
    entries,
    next(state, timeoutMs = 10_000, from = entries.length) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = entries.slice(from).find((entry) => entry.state === state);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${state}" within ${timeoutMs} ms; states: ${entries.map((entry) => entry.state).join(' → ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** A Logger that keeps every line, to look for texts (and for secrets that must not be there). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger((level, prefix, message) => {
    lines.push(`${level} ${prefix}: ${message}`);
    if (process.env.TUNNEL_TEST_LOG === '1') console.error(`${level} ${prefix}: ${message}`);
  });
  return { logger, lines };
}

/** True when nothing listens on 127.0.0.1:port any more (we can bind it ourselves). */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether a process exists and, where /proc tells, is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  try {
    const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(status);
  } catch {
    return false;
  }
}

/** Drops a control file for the fakes in `dir` atomically, so that they never read it half-written. */
export async function signalFake(dir: string, name: 'die' | 'fatal' | 'blackhole' | 'failstart', text = ''): Promise<void> {
  const temporary = join(dir, `.${name}.tmp`);
  await writeFile(temporary, text);
  await rename(temporary, join(dir, name));
}
