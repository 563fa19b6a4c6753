import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An upstream that treats CSRF tokens as SAP Gateway does (spec §9): `X-CSRF-Token: Fetch` (any case) on GET or
 * HEAD hands out a token bound to the `SAP_SESSIONID_<SID>_<client>` session cookie (a new session when the request
 * has none); a write without that session's token gets 403 with `X-CSRF-Token: Required`.
 */
export interface GatewayCsrfUpstream {
  readonly url: string;
  readonly requests: { readonly method: string; readonly url: string; readonly headers: IncomingHttpHeaders }[];
  /** Sessions opened so far. */
  sessions(): number;
  close(): Promise<void>;
}

export const sessionCookieName = 'SAP_SESSIONID_GW1_100';

export async function startGatewayCsrfUpstream(): Promise<GatewayCsrfUpstream> {
  const tokens = new Map<string, string>();
  const requests: GatewayCsrfUpstream['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const session = sessionOf(req.headers.cookie);
      const known = session !== undefined && tokens.has(session);
      const method = req.method ?? 'GET';
      if (method === 'GET' || method === 'HEAD') {
        const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
        if (String(req.headers['x-csrf-token']).toLowerCase() === 'fetch') {
          let id = known ? (session as string) : undefined;
          if (!id) {
            id = randomBytes(12).toString('hex');
            tokens.set(id, randomBytes(12).toString('base64url'));
            headers['set-cookie'] = [`${sessionCookieName}=${id}; path=/; secure; HttpOnly`, 'sap-usercontext=sap-client=100; path=/'];
          }
          headers['x-csrf-token'] = tokens.get(id) as string;
        }
        res.writeHead(200, headers);
        return void res.end(method === 'HEAD' ? undefined : JSON.stringify({ d: { results: [] } }));
      }
      const token = req.headers['x-csrf-token'];
      if (!known || token !== tokens.get(session as string)) {
        res.writeHead(403, { 'x-csrf-token': 'Required', 'content-type': 'text/plain' });
        return void res.end('CSRF token validation failed');
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ d: { created: Buffer.concat(chunks).toString('utf8') } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    sessions: () => tokens.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function sessionOf(cookie: string | undefined): string | undefined {
  for (const pair of (cookie ?? '').split(';')) {
    const [name, value] = pair.trim().split('=');
    if (name === sessionCookieName && value) return value;
  }
  return undefined;
}
