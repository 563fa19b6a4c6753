import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOptions as HttpsOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log';
import { sendJson } from '../http/respond';
import { startServer } from '../http/server';
import { ConnectorGate, refusalText } from './gate/connectorGate';
import { GatewayService } from './gateway';
import type { OnPremiseNetwork } from './gate/network';
import { acceptWebSocket } from './webSocket';

export interface OnPremiseHttpOptions {
  readonly logger: Logger;
  /** The network whose Cloud Connector alone may connect (see `OnPremiseNetwork`); the system registers in it. */
  readonly network: OnPremiseNetwork;
  /** Serve HTTPS with this certificate (for `protocol: HTTPS` mappings). */
  readonly tls?: HttpsOptions;
  /** The CA whose user certificates (`SSL_CLIENT_CERT`) this system trusts: the Cloud Connector's. */
  readonly trustedCaPem?: string;
}

export interface OnPremiseHttpService {
  readonly port: number;
  /** `http://127.0.0.1:<port>` (https with TLS): the internal origin a system mapping points at. */
  readonly origin: string;
  /** SAP Gateway with the OData V2 service API_BUSINESS_PARTNER. */
  readonly gateway: GatewayService;
  close(): Promise<void>;
}

/**
 * The sample on-premise ERP: SAP Gateway with the OData V2 business partner service (see `gateway/`), `/whoami` (what arrived, headers included),
 * `/redirect?to=<path>` (302 to its own internal origin, for Location rewriting), `/echo` (streams the body back)
 * and `/ws` (WebSocket echo). Only reachable through the Cloud Connector: it trusts `X-Emulated-User` and
 * `SSL_CLIENT_CERT` because only the connector, which sets them, gets in (a plain connection gets a 403).
 */
export async function startOnPremiseHttp(options: OnPremiseHttpOptions): Promise<OnPremiseHttpService> {
  const gateway = new GatewayService();
  const trustedCa = options.trustedCaPem ? new X509Certificate(options.trustedCaPem) : undefined;
  const self = { origin: '' };
  // Over TLS a refusal cannot be read before the handshake: the connection just closes.
  const refusal = options.tls ? undefined : Buffer.from(httpRefusal(refusalText), 'latin1');
  const gate = new ConnectorGate({ network: options.network, ...(refusal ? { refusal } : {}) });
  const started = await startServer(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://on-premise');
      if (await gateway.handle(req, res, url)) return;
      if (url.pathname === '/whoami' || url.pathname.startsWith('/whoami/')) return whoami(req, res, url, trustedCa);
      if (url.pathname === '/redirect') return redirect(res, url, self.origin);
      if (url.pathname === '/echo' || url.pathname.startsWith('/echo/')) return echoBody(req, res);
      if (url.pathname === '/ws') return sendJson(res, 426, { error: 'Upgrade to WebSocket' }, { upgrade: 'websocket' });
      sendJson(res, 404, { error: `No such resource: ${url.pathname}` });
    },
    {
      port: 0,
      logger: options.logger,
      ...(options.tls ? { tls: options.tls } : {}),
      gate: (socket, pass) =>
        gate.accept(socket, (admitted) => {
          pass(admitted);
          // Node's HTTP parser does not resume a paused socket by itself; TLS reads it without.
          if (!options.tls) admitted.resume();
        }),
    },
  );
  const leave = options.network.register(started.port);
  self.origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${started.port}`;
  const upgraded = new Set<Duplex>();
  started.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').split('?')[0] === '/ws') acceptWebSocket(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return {
    port: started.port,
    origin: self.origin,
    gateway,
    async close() {
      leave();
      gate.close();
      for (const socket of upgraded) socket.destroy();
      await started.close();
    },
  };
}

async function whoami(req: IncomingMessage, res: ServerResponse, url: URL, trustedCa: X509Certificate | undefined): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  sendJson(res, 200, {
    service: 'sandbox-on-premise-erp',
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    user: req.headers['x-emulated-user'] ?? null,
    clientCertificate: describeCertificate(req.headers.ssl_client_cert, trustedCa),
    body: { size, sha256: hash.digest('hex') },
  });
}

/** What the backend makes of `SSL_CLIENT_CERT`: subject, issuer and whether its trusted CA signed it. */
function describeCertificate(value: string | string[] | undefined, trustedCa: X509Certificate | undefined): Record<string, unknown> | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const certificate = new X509Certificate(Buffer.from(value, 'base64'));
    const trusted = trustedCa ? certificate.checkIssued(trustedCa) && certificate.verify(trustedCa.publicKey) : false;
    return { subject: certificate.subject, issuer: certificate.issuer, validFrom: certificate.validFrom, validTo: certificate.validTo, trusted };
  } catch {
    return { error: 'SSL_CLIENT_CERT is not a base64 DER certificate' };
  }
}

function httpRefusal(text: string): string {
  const body = `Forbidden: ${text}\n`;
  return `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

function redirect(res: ServerResponse, url: URL, origin: string): void {
  const to = url.searchParams.get('to') ?? '/whoami';
  if (!to.startsWith('/') || to.startsWith('//')) return sendJson(res, 400, { error: 'to must be an absolute path' });
  res.writeHead(302, { location: `${origin}${to}`, 'content-length': 0 });
  res.end();
}

function echoBody(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
  res.flushHeaders();
  req.pipe(res);
}
