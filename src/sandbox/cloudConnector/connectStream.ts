import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { cutOff, pipeStream } from '../tunnel/pipeStream';
import { decodeUser, StreamHeader, type PropagatedUser } from '../tunnel/tunnelProtocol';
import { encodeProxyHeader, type ProxyHeaderInfo } from '../onPremise/gate/proxyProtocol';
import { accessDeniedText, checkHttpAccess, checkTcpAccess } from './accessControl';
import type { StreamContext } from './httpStream';
import { propagatesPrincipal, type SystemMapping } from './types';

/**
 * A CONNECT stream from the proxy: a SOCKS5 connection (`TCP`) or an HTTP/1.1 WebSocket upgrade. The connector
 * answers 200 once the backend connection stands, 403 when access control denies (SOCKS REP 0x02) and 502 when
 * the backend cannot be reached (REP 0x04); after the 200 bytes flow raw both ways.
 */
export function serveConnectStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, context: StreamContext, sockets: Set<Socket>): void {
  const virtualHost = String(headers[StreamHeader.virtualHost] ?? '');
  const virtualPort = Number(headers[StreamHeader.virtualPort]);
  const webSocket = headers[StreamHeader.upgrade] === 'websocket';
  const path = String(headers[StreamHeader.path] ?? '/');
  const mappings = context.mappings();
  const decision = webSocket ? checkHttpAccess(mappings, virtualHost, virtualPort, path, true) : checkTcpAccess(mappings, virtualHost, virtualPort);
  if (!decision.allowed) {
    context.logger.info(`Access Denied: ${webSocket ? `WebSocket ${path.split('?')[0]} on ` : 'TCP '}${virtualHost}:${virtualPort} (${decision.reason})`);
    respond(stream, 403, accessDeniedText(virtualHost, virtualPort));
    return;
  }
  const mapping = decision.mapping;
  const user = decodeUser(headers[StreamHeader.user]);
  const principal = webSocket ? undefined : tcpPrincipal(mapping, virtualHost, virtualPort, user);
  // To the sandbox's own systems the principal goes in the header that proves the connector; to others after connect.
  const introduced = context.backend.introduces(mapping);
  const socket = context.backend.openSocket(mapping, principal);
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  const connectEvent = 'encrypted' in socket ? 'secureConnect' : 'connect';
  socket.once(connectEvent, () => {
    socket.setTimeout(0);
    if (stream.closed || stream.destroyed) {
      socket.destroy();
      return;
    }
    let preamble: Buffer | undefined;
    try {
      preamble = webSocket ? upgradeHead(mapping, headers, path, user, context) : principal && !introduced ? encodeProxyHeader(principal) : undefined;
    } catch (error) {
      // E.g. no user certificate could be issued: fail this stream, not the connector.
      socket.destroy();
      respond(stream, 502, `The Cloud Connector could not prepare the connection to ${virtualHost}:${virtualPort}: ${(error as Error).message}`);
      return;
    }
    stream.respond({ ':status': 200 });
    if (preamble) socket.write(preamble);
    pipeStream(stream, socket);
    socket.pipe(stream);
  });
  socket.on('error', (error) => {
    if (!stream.headersSent) {
      context.logger.debug(`backend ${mapping.localHost}:${mapping.localPort} for ${virtualHost}:${virtualPort} unreachable: ${error.message}`);
      respond(stream, 502, `The Cloud Connector could not reach the backend of ${virtualHost}:${virtualPort}: ${error.message}`);
    } else stream.destroy();
  });
  // A reset stream takes the backend connection along; after a clean end the pipe has ended it already.
  stream.on('close', () => {
    if (!socket.writableEnded) cutOff(socket);
  });
  socket.on('close', () => {
    if (!stream.closed && stream.headersSent && !stream.writableEnded) stream.destroy();
  });
  stream.on('error', () => cutOff(socket));
}

/** With principal propagation on a TCP mapping the backend learns the user from a PROXY v2 header. */
function tcpPrincipal(mapping: SystemMapping, virtualHost: string, virtualPort: number, user: PropagatedUser | undefined): ProxyHeaderInfo | undefined {
  if (!user || !propagatesPrincipal(mapping)) return undefined;
  return { user: user.userName, authority: `${virtualHost}:${virtualPort}` };
}

/** The upgrade request re-serialised for the backend, with Host and principal set as for any HTTP request. */
function upgradeHead(mapping: SystemMapping, headers: IncomingHttpHeaders, path: string, user: PropagatedUser | undefined, context: StreamContext): Buffer {
  const outgoing = context.backend.requestHeaders(mapping, headers, user);
  const lines = [`${String(headers[StreamHeader.method] ?? 'GET')} ${path} HTTP/1.1`, 'Connection: Upgrade', 'Upgrade: websocket'];
  for (const [name, value] of Object.entries(outgoing)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = String(item);
      // h2 already refuses CR/LF in values; a second check costs nothing and keeps the head well-formed.
      if (!/[\r\n]/.test(text)) lines.push(`${name}: ${text}`);
    }
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

function respond(stream: ServerHttp2Stream, status: number, text: string): void {
  if (stream.closed || stream.destroyed) return;
  stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8' });
  stream.end(`${text}\n`);
}
