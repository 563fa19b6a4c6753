import { createServer, type Socket } from 'node:net';
import { listenOnLoopback } from '../http/loopback';
import { ConnectorGate, refusalText } from './gate/connectorGate';
import type { OnPremiseNetwork } from './gate/network';

export interface OnPremiseLineService {
  readonly port: number;
  close(): Promise<void>;
}

const maxLineBytes = 8192;

/**
 * A TCP line service standing in for on-premise databases, directories and mail servers behind TCP mappings:
 * `PING` → `PONG`, `ECHO <text>` → `<text>`, `WHOAMI` → the propagated user (from the PROXY v2 header the Cloud
 * Connector starts every connection with; a user only with principal propagation) or `anonymous`, `QUIT` → `BYE`
 * and close. Lines end with CRLF or LF. Only the Cloud Connector gets in (`ConnectorGate`).
 */
export async function startOnPremiseLineService(options: { network: OnPremiseNetwork }): Promise<OnPremiseLineService> {
  const gate = new ConnectorGate({ network: options.network, refusal: Buffer.from(`ERR ${refusalText}\r\n`) });
  const server = createServer((socket) => gate.accept(socket, (admitted, info) => serve(admitted, info.user)));
  const listener = await listenOnLoopback(server, 0);
  const leave = options.network.register(listener.port);
  return {
    port: listener.port,
    close: () => {
      leave();
      gate.close();
      return listener.close();
    },
  };
}

function serve(socket: Socket, user: string | undefined): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    if (socket.writableEnded) return;
    pending = Buffer.concat([pending, chunk]);
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
  // The gate hands the socket over paused, with what followed the header still buffered.
  socket.resume();
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
