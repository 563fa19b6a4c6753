import type { Socket } from 'node:net';

/** The peer closed or broke the connection before sending what the protocol needs. */
export class ShortReadError extends Error {}

/**
 * Reads exactly `length` bytes from a paused-mode socket. Bytes stay in the socket's own buffer until asked for,
 * so nothing is lost when the caller later pipes the socket, and a peer that sends more than it should cannot
 * grow memory beyond the stream's high-water mark.
 */
export function readExactly(socket: Socket, length: number): Promise<Buffer> {
  if (length === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const cleanup = () => {
      socket.off('readable', attempt);
      socket.off('end', fail);
      socket.off('close', fail);
    };
    const fail = () => {
      cleanup();
      reject(new ShortReadError(`connection closed while ${length} bytes were expected`));
    };
    function attempt(): void {
      const chunk = socket.read(length) as Buffer | null;
      if (chunk === null) {
        if (socket.readableEnded || socket.destroyed) fail();
        return;
      }
      cleanup();
      // At end of stream `read(n)` returns whatever is left, possibly fewer bytes.
      if (chunk.length !== length) reject(new ShortReadError(`connection closed after ${chunk.length} of ${length} bytes`));
      else resolve(chunk);
    }
    socket.on('readable', attempt);
    socket.once('end', fail);
    socket.once('close', fail);
    attempt();
  });
}
