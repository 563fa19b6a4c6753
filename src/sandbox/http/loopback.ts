import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * A server bound to 127.0.0.1 whose close also ends the sockets it accepted, upgraded ones included
 * (`closeAllConnections` of an HTTP server does not reach sockets handed out by `upgrade`/`connect`).
 */
export interface LoopbackListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server, port: number): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
