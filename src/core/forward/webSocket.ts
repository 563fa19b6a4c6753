import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { isBtpError } from '../errors';
import type { Logger } from '../log';
import { redactText } from '../redact';
import type { UpstreamTls } from './destinationTarget';
import { upstreamHeaders } from './headers';
import type { HttpForwardOptions } from './httpForward';
import { routeOf, upstreamPath } from './route';
import { checkLocalRequest } from './localRequest';
import type { Resolved } from './resolver';

export interface UpgradeContext {
  readonly hosts: ReadonlySet<string>;
  readonly options: HttpForwardOptions;
  readonly logger: Logger;
  readonly agentsTls: (resolved: Resolved) => UpstreamTls;
}

/**
 * WebSocket (and other HTTP/1.1 upgrade) requests: only for forwards that allow them, only from local origins
 * (a foreign page must not open a socket with the user's credentials, AC-04). The request head is re-written
 * with the destination's credentials and sent to the upstream (or through the connectivity proxy); after that
 * the two sockets are piped raw.
 */
export async function handleUpgrade(context: UpgradeContext, req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
  const refuse = (status: string) => client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  const check = checkLocalRequest(req, context.hosts);
  if (!check.ok) return void refuse(check.status === 405 ? '405 Method Not Allowed' : check.status === 400 ? '400 Bad Request' : '403 Forbidden');
  if (!context.options.allowWebSocket) return void refuse('403 Forbidden');
  client.on('error', () => undefined);
  let upstream: Socket | undefined;
  try {
    const resolved = await context.options.resolver.get();
    const route = routeOf(resolved);
    const target = route.target;
    const overrides: Record<string, string> = route.auth ? { [route.auth[0]]: route.auth[1] } : {};
    overrides.host = target.host;
    const path = upstreamPath(route, req.url ?? '/');
    let requestTarget = path;
    if (route.onPremise && context.options.connectivity) {
      const connectivity = context.options.connectivity;
      const token = await connectivity.token();
      overrides['proxy-authorization'] = `Bearer ${token.accessToken}`;
      if (route.locationId) overrides['sap-connectivity-scc-location_id'] = route.locationId;
      const proxy = connectivity.httpProxy();
      upstream = await open(() => connectTcp({ host: proxy.host, port: proxy.port }));
      requestTarget = `${target.origin}${path}`;
    } else if (target.protocol === 'https:') {
      const tls = context.agentsTls(resolved);
      upstream = await open(() => connectTls({ host: target.hostname, port: Number(target.port || 443), servername: target.hostname, ...tls }), 'secureConnect');
    } else {
      upstream = await open(() => connectTcp({ host: target.hostname, port: Number(target.port || 80) }));
    }
    const headers = upstreamHeaders(req.headers, { defaults: route.defaults, overrides }, true);
    const lines = [`${req.method} ${requestTarget} HTTP/1.1`];
    for (const [name, value] of Object.entries(headers)) for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    const remote = upstream;
    remote.on('error', () => client.destroy());
    client.on('error', () => remote.destroy());
    remote.on('close', () => client.destroy());
    client.on('close', () => remote.destroy());
    remote.pipe(client);
    client.pipe(remote);
  } catch (error) {
    upstream?.destroy();
    context.logger.warn(`WebSocket upgrade ${(req.url ?? '').split('?')[0]} failed: ${redactText(isBtpError(error) ? error.message : String(error))}`);
    refuse('502 Bad Gateway');
  }
}

function open(create: () => Socket, readyEvent: 'connect' | 'secureConnect' = 'connect'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = create();
    socket.once(readyEvent, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
