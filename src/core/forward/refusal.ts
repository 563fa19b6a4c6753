import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { redactText } from '../redact';

/**
 * A forward's own answers (refusals and failures): the same coded JSON body on a response object and, for
 * upgrades, written raw on the socket. The connection is closed after it.
 */
export function failureBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message: redactText(message) } });
}

export function failResponse(res: ServerResponse, status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = failureBody(code, message);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

export function failSocket(socket: Socket, status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}): void {
  const body = failureBody(code, message);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
