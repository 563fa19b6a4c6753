import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { Logger } from '../log';
import { redactText } from '../redact';
import type { UpstreamTls } from './destinationTarget';
import { upstreamHeaders } from './headers';
import type { HttpForwardOptions } from './httpForward';
import { routeOf, upstreamPath } from './route';
import { checkLocalRequest } from './localRequest';
import { checkLocalToken } from './localToken';
import type { DestinationResolver, Resolved } from './resolver';

const unsafeHeaderText = /[\r\n\0]/;

export interface UpgradeContext {
  readonly hosts: ReadonlySet<string>;
  readonly options: HttpForwardOptions;
  readonly logger: Logger;
  readonly agentsTls: (resolved: Resolved) => UpstreamTls;
  /** The destination of the upgrade request (the router may rewrite `req.url`). */
  readonly pick: (req: IncomingMessage) => { readonly ok: true; readonly resolver: DestinationResolver } | { readonly ok: false; readonly reason: string };
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
  if (context.options.localToken !== undefined) {
    const verdict = checkLocalToken(req, context.options.localToken);
    if (!verdict.ok) return void refuse('407 Proxy Authentication Required');
    req.url = verdict.url;
  }
  const picked = context.pick(req);
  if (!picked.ok) return void refuse('400 Bad Request');
  client.on('error', () => undefined);
  let upstream: Socket | undefined;
  try {
    const resolved = await picked.resolver.get();
    const route = routeOf(resolved);
    const target = route.target;
    const overrides: Record<string, string> = route.auth ? { [route.auth[0]]: route.auth[1] } : {};
    overrides.host = target.host;
    const path = upstreamPath(route, req.url ?? '/');
    const connectivity = route.onPremise ? context.options.connectivity : undefined;
    if (connectivity) {
      const token = await connectivity.token();
      overrides['proxy-authorization'] = `Bearer ${token.accessToken}`;
      if (route.locationId) overrides['sap-connectivity-scc-location_id'] = route.locationId;
      if (resolved.destination.Authentication === 'PrincipalPropagation') overrides['sap-connectivity-authentication'] = await connectivity.principalPropagation(resolved.name);
    }
    // Absolute form through the connectivity proxy (spec §5.1).
    const requestTarget = connectivity ? `${target.origin}${path}` : path;
    const headers = upstreamHeaders(req.headers, { defaults: route.defaults, overrides }, { keepUpgrade: true, passCookies: context.options.passCookies === true });
    const lines = [`${req.method} ${requestTarget} HTTP/1.1`];
    for (const [name, value] of Object.entries(headers)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        // Written as raw bytes: a CR or LF in a stored value would start a header (or request) of its own (AC-10).
        // Checked before connecting, so that a bad destination costs the upstream nothing.
        if (unsafeHeaderText.test(name) || unsafeHeaderText.test(item)) {
          throw new BtpError(ErrorCode.InvalidInput, `A header of destination "${resolved.name}" contains a line break or NUL; fix the destination.`);
        }
        lines.push(`${name}: ${item}`);
      }
    }
    if (connectivity) {
      const proxy = connectivity.httpProxy();
      upstream = await open(() => connectTcp({ host: proxy.host, port: proxy.port }));
    } else if (target.protocol === 'https:') {
      const tls = context.agentsTls(resolved);
      upstream = await open(() => connectTls({ host: target.hostname, port: Number(target.port || 443), servername: target.hostname, ...tls }), 'secureConnect');
    } else {
      upstream = await open(() => connectTcp({ host: target.hostname, port: Number(target.port || 80) }));
    }
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
    refuse(isBtpError(error, ErrorCode.ServiceUnavailable) ? '503 Service Unavailable' : '502 Bad Gateway');
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
