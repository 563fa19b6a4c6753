import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenUpgrade {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * An upstream that answers every upgrade with 101 plus the response headers an attacker-controlled or careless
 * backend may add (`Set-Cookie`, CORS grants), and records what arrived. Plain requests are recorded too.
 */
export async function startUpgradeUpstream(
  extraHeaders: readonly string[] = [],
): Promise<{ port: number; upgrades: SeenUpgrade[]; requests: SeenUpgrade[]; close(): Promise<void> }> {
  const upgrades: SeenUpgrade[] = [];
  const requests: SeenUpgrade[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('plain');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket: Socket, early: Buffer) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.on('error', () => undefined);
    socket.write(
      ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, ...extraHeaders, '', ''].join(
        '\r\n',
      ),
    );
    if (early.length > 0) socket.write(early);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    upgrades,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A raw request head from its lines. */
export function head(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The headers of the first response head in a raw answer, lower-cased names. */
export function headersOf(text: string): Map<string, string[]> {
  const end = text.indexOf('\r\n\r\n');
  const out = new Map<string, string[]>();
  for (const line of text
    .slice(0, end < 0 ? text.length : end)
    .split('\r\n')
    .slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    out.set(name, [...(out.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return out;
}

/** The body after the first response head. */
export function bodyOf(text: string): string {
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? '' : text.slice(end + 4);
}
