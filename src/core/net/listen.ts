import type { Server, Socket } from 'node:net';
import { BtpError, ErrorCode } from '../errors';

/** Binds a server to loopback (bind first, then report the port: port 0 works); a taken port fails fast. */
export function listenLoopback(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new BtpError(ErrorCode.PortInUse, `Port ${port} on ${host} is in use by another program; pick another port or stop that program.`, {
              cause: error,
              details: { port },
            })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Closes a server and every connection it holds. */
export function closeServer(server: Server & { closeAllConnections?: () => void }, sockets?: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
    for (const socket of sockets ?? []) socket.destroy();
  });
}
