import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../../core/log';
import { BodyTooLargeError, sendJson } from './respond';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface StartedServer {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts one sandbox listener on loopback. Handler failures become a 500 JSON answer and a log line, never a
 * crash; header and request timeouts are set so a slow client cannot hold a socket forever.
 */
export async function startServer(
  handler: Handler,
  options: {
    port: number;
    logger: Logger;
    tls?: HttpsOptions;
    host?: string;
    /** Sees every connection first and hands on (`pass`) those it admits, before TLS and HTTP parsing. */
    gate?: (socket: Socket, pass: (socket: Socket) => void) => void;
  },
): Promise<StartedServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        if (!res.headersSent) sendJson(res, 413, { ErrorMessage: 'Request body too large' });
        return;
      }
      options.logger.error(`${req.method} ${req.url?.split('?')[0]} failed`, error instanceof Error ? error.stack : error);
      if (!res.headersSent) sendJson(res, 500, { ErrorMessage: 'Internal sandbox error' });
      else res.destroy();
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const gate = options.gate;
  // On-premise systems (gated) keep connections as SAP's ICM does (icm/keep_alive_timeout, 60 s): the Cloud
  // Connector pools them, and a server that closes an idle one as the pool hands it out makes the next request
  // fail with ECONNRESET (seen under load with 5 s).
  server.keepAliveTimeout = gate ? 60_000 : 5_000;
  if (gate) {
    // The server's own connection listeners (HTTP parser, or TLS first) run only for what the gate passes.
    const listeners = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => gate(socket, (admitted) => listeners.forEach((listener) => listener.call(server, admitted))));
  }
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
