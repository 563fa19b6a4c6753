import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RecordingServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  connections(): number;
  /** Bytes received on every connection so far: a connection opened ahead of a request (warming) sends none. */
  bytesReceived(): number;
  /** Resolves once no connection is open (for tests where every upstream connection must have been cut). */
  whenNoConnections(): Promise<void>;
  close(): Promise<void>;
}

export type Responder = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/**
 * Echoes each request's URL and headers as JSON; a path starting with `redirectPrefix` gets a 302 to
 * `/base/landing?x=1` on this same server (absolute, as backends often send it).
 */
export function echoWithRedirect(redirectPrefix: string): Responder {
  return (req, res) => {
    if (req.url?.startsWith(redirectPrefix)) {
      res.writeHead(302, { location: `http://${req.headers.host ?? ''}/base/landing?x=1` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  };
}

/** An upstream on 127.0.0.1:0 that records every request; answers 200 JSON unless a responder says otherwise. */
export async function startRecordingServer(responder?: Responder): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let bytesOfClosed = 0;
  const onEmpty: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (responder) return responder(req, res, body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => {
      bytesOfClosed += socket.bytesRead;
      sockets.delete(socket);
      if (sockets.size === 0) for (const wake of onEmpty.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    bytesReceived: () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, bytesOfClosed),
    whenNoConnections: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => onEmpty.push(resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
