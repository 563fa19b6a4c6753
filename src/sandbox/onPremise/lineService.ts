import { createServer, type Socket } from 'node:net';
import { listenOnLoopback } from '../connectivity/loopback';
import { parseProxyHeader } from './proxyProtocol';

export interface OnPremiseLineService {
  readonly port: number;
  close(): Promise<void>;
}

const maxLineBytes = 8192;

/**
 * A TCP line service standing in for on-premise databases, directories and mail servers behind TCP mappings:
 * `PING` → `PONG`, `ECHO <text>` → `<text>`, `WHOAMI` → the propagated user (from a PROXY v2 header the Cloud
 * Connector sends with principal propagation) or `anonymous`, `QUIT` → `BYE` and close. Lines end with CRLF or LF.
 */
export async function startOnPremiseLineService(): Promise<OnPremiseLineService> {
  const server = createServer((socket) => serve(socket));
  const listener = await listenOnLoopback(server, 0);
  return { port: listener.port, close: () => listener.close() };
}

function serve(socket: Socket): void {
  socket.on('error', () => socket.destroy());
  let pending = Buffer.alloc(0);
  let preambleDone = false;
  let user: string | undefined;
  socket.on('data', (chunk: Buffer) => {
    if (socket.writableEnded) return;
    pending = Buffer.concat([pending, chunk]);
    if (!preambleDone) {
      const parsed = parseProxyHeader(pending);
      if (parsed.kind === 'incomplete') return;
      if (parsed.kind === 'invalid') {
        socket.destroy();
        return;
      }
      if (parsed.kind === 'header') {
        user = parsed.info.user;
        pending = pending.subarray(parsed.length);
      }
      preambleDone = true;
    }
    for (let end = pending.indexOf(0x0a); end >= 0 && !socket.writableEnded; end = pending.indexOf(0x0a)) {
      const line = pending.subarray(0, end).toString('utf8').replace(/\r$/, '');
      pending = pending.subarray(end + 1);
      answer(socket, line, user);
    }
    if (pending.length > maxLineBytes) {
      socket.end('ERR line too long\r\n');
      pending = Buffer.alloc(0);
    }
  });
}

function answer(socket: Socket, line: string, user: string | undefined): void {
  const [verb = '', ...rest] = line.split(' ');
  switch (verb.toUpperCase()) {
    case 'PING':
      socket.write('PONG\r\n');
      return;
    case 'ECHO':
      socket.write(`${rest.join(' ')}\r\n`);
      return;
    case 'WHOAMI':
      socket.write(`${user ?? 'anonymous'}\r\n`);
      return;
    case 'QUIT':
      socket.end('BYE\r\n');
      return;
    default:
      socket.write(`ERR unknown command ${verb.slice(0, 32)}\r\n`);
  }
}
