import type { IncomingMessage } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import type { Logger } from '../log';
import { redactText } from '../redact';
import { admit, type AdmissionPolicy } from './admission';
import { upstreamHeaders, type HeaderPolicy } from './headers';
import type { HttpForwardOptions } from './httpForwardOptions';
import { maskInjected } from './injected';
import { onPremiseHeaders } from './onPremiseHeaders';
import { failSocket } from './refusal';
import { responseHead } from './responseHead';
import { routeOf, upstreamPath, type Route } from './route';
import type { DestinationResolver } from './resolver';
import type { UpstreamAgents } from './upstreamAgents';
import type { SessionJar } from './sessionCookies';
import type { WarningLimiter } from './warningLimiter';
import type { UpgradeSlots } from './upgradeSlots';
import { readUpgradeAnswer, serializeHead } from './upgradeAnswer';

const unsafeHeaderText = /[\r\n\0]/;

export interface UpgradeContext {
  readonly admission: AdmissionPolicy;
  readonly options: HttpForwardOptions;
  readonly logger: Logger;
  readonly headerPolicy: HeaderPolicy;
  /** TLS and the outbound proxy for Internet upstreams, as the forward's pools use them. */
  readonly agents: Pick<UpstreamAgents, 'socketTlsFor' | 'tunnel'>;
  readonly warnings: WarningLimiter;
  readonly upgrades: UpgradeSlots;
  /** The backend session of the request's client (see sessionCookies.ts); undefined when cookies pass through. */
  readonly jarFor: (req: IncomingMessage, destination: string) => SessionJar | undefined;
  /** The destination of the upgrade request (the router may rewrite `req.url`). */
  readonly pick: (
    req: IncomingMessage,
  ) =>
    | { readonly ok: true; readonly resolver: DestinationResolver; readonly localPrefix: string }
    | { readonly ok: false; readonly status: number; readonly code: string; readonly reason: string };
}

/**
 * WebSocket upgrades: the same admission as every request (F1), then the request head is written again with the
 * destination's credentials and sent to the upstream (or through the connectivity proxy). The upstream's answer
 * head is filtered like any response head; after a 101 the two sockets are piped raw.
 */
export async function handleUpgrade(context: UpgradeContext, req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
  client.on('error', () => undefined);
  const admission = admit(req, context.admission, true);
  if (!admission.ok) {
    if (admission.origin !== undefined) context.warnings.warn(`WebSocket upgrade refused: ${admission.reason}`, `origin ${admission.origin}`);
    return failSocket(client, admission.status, admission.code, admission.reason, admission.headers);
  }
  const picked = context.pick(req);
  if (!picked.ok) return failSocket(client, picked.status, picked.code, picked.reason);
  // Each upgrade holds its upstream connection (for OnPremise a stream of the shared tunnel) as long as it lives.
  const slot = context.upgrades.take();
  if (!slot) {
    context.options.onExchange?.({
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      status: 503,
      durationMs: 0,
      bytesIn: 0,
      bytesOut: 0,
      error: ErrorCode.ForwardBusy,
    });
    return failSocket(
      client,
      503,
      ErrorCode.ForwardBusy,
      `this forward holds its maximum of ${context.upgrades.limit} WebSocket connections; close some, or raise --max-connections (setting btpConnect.forwards.maxConnections)`,
      { 'retry-after': '1' },
    );
  }
  client.once('close', slot);
  let upstream: Socket | undefined;
  let route: Route | undefined;
  try {
    const resolved = await picked.resolver.get();
    route = routeOf(resolved);
    const target = route.target;
    const overrides: Record<string, string> = route.auth ? { [route.auth[0]]: route.auth[1] } : {};
    const connectivity = route.onPremise ? context.options.connectivity : undefined;
    if (route.onPremise && !connectivity) {
      throw new BtpError(ErrorCode.InvalidInput, `Destination "${resolved.name}" is OnPremise: connect a connectivity service key to reach it.`, {
        field: 'connectivity',
      });
    }
    Object.assign(overrides, connectivity ? (await onPremiseHeaders(connectivity, resolved, route)).headers : { host: target.host });
    // The forward names the protocol itself: the client's Connection may list headers, its Upgrade was checked.
    overrides.connection = 'Upgrade';
    overrides.upgrade = 'websocket';
    const path = upstreamPath(route, req.url ?? '/');
    const sessionUrl = `${target.origin}${path}`;
    const jar = context.jarFor(req, picked.resolver.name);
    const cookie = jar?.cookieHeader(sessionUrl);
    if (cookie) overrides.cookie = cookie;
    // Absolute form through the connectivity proxy (spec §5.1).
    const requestTarget = connectivity ? `${target.origin}${path}` : path;
    const headers = upstreamHeaders(req.headers, { defaults: route.defaults, overrides }, context.headerPolicy);
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
    } else {
      // Through the corporate proxy where it applies (a CONNECT tunnel), as the forward's HTTP requests go.
      const tunnel = await context.agents.tunnel(target, 15_000);
      if (target.protocol === 'https:') {
        const tls = context.agents.socketTlsFor(resolved);
        const endpoint = tunnel ? { socket: tunnel.socket } : { host: target.hostname, port: Number(target.port || 443) };
        upstream = await open(() => connectTls({ ...endpoint, servername: target.hostname, ...tls }), 'secureConnect');
      } else {
        upstream = tunnel?.socket ?? (await open(() => connectTcp({ host: target.hostname, port: Number(target.port || 80) })));
      }
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    const answer = await readUpgradeAnswer(upstream);
    jar?.store(answer.headers['set-cookie'], sessionUrl);
    const switched = answer.status === 101;
    const filtered = responseHead(answer.headers, route, {
      policy: context.headerPolicy,
      localBase: `${req.headers.host ?? ''}${picked.localPrefix}`,
      onePort: context.options.router !== undefined,
    });
    if (switched) {
      filtered.connection = 'Upgrade';
      filtered.upgrade = 'websocket';
    } else {
      // Any other answer (401, 403, 426…) goes back with its body as it came, and ends the connection.
      const coding = answer.headers['transfer-encoding'];
      if (coding !== undefined) filtered['transfer-encoding'] = Array.isArray(coding) ? coding.join(', ') : coding;
      filtered.connection = 'close';
    }
    client.write(serializeHead(answer.status, answer.reason, filtered));
    if (answer.rest.length > 0) client.write(answer.rest);
    const remote = upstream;
    remote.on('error', () => client.destroy());
    client.on('error', () => remote.destroy());
    remote.on('close', () => client.destroy());
    client.on('close', () => remote.destroy());
    remote.pipe(client);
    if (switched) client.pipe(remote);
  } catch (error) {
    upstream?.destroy();
    const said = isBtpError(error) ? error.message : String(error);
    const message = route ? maskInjected(said, route.injected) : said;
    context.logger.warn(`WebSocket upgrade ${(req.url ?? '').split('?')[0]} failed: ${redactText(message)}`);
    const status = isBtpError(error, ErrorCode.ServiceUnavailable) ? 503 : isBtpError(error, ErrorCode.NotFound) ? 404 : 502;
    failSocket(client, status, isBtpError(error) ? error.code : ErrorCode.UpstreamFailed, message);
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
