import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers on a socket that Node handed over raw (`upgrade`, `connect`, `clientError`) and closes it: after a
 * refusal nothing else the client sent is processed. Unread input is drained rather than left in the kernel,
 * where it would turn the close into a reset that can destroy the answer before the client reads it.
 */
export function writeRawResponse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`, 'utf8');
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.on('end', () => (socket.writableFinished ? socket.destroy() : socket.once('finish', () => socket.destroy())));
  socket.resume();
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));
  // A client that never closes its side does not keep the socket.
  if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(5_000, () => socket.destroy());
}
