import type { IncomingMessage } from 'node:http';
import { constants as h2, type ClientHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log';
import { admit, type AdmissionContext } from './admission';
import { writeRawResponse } from './rawResponse';
import { encodeUser, endToEndHeaders, isProxyControlHeader, StreamHeader } from '../tunnel/tunnelProtocol';

/**
 * An HTTP/1.1 `Upgrade: websocket` through the proxy port. It travels as an h2 CONNECT stream; the Cloud
 * Connector checks the resource (`websocketUpgradeAllowed`), writes the request head to the backend itself (it
 * owns Host rewriting and principal propagation), and from its `200` on both sides relay raw bytes, the
 * backend's `101` included.
 */
export function proxyWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, options: AdmissionContext & { logger: Logger }): void {
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    writeRawResponse(socket, 400, 'The connectivity proxy upgrades to WebSocket only.');
    return;
  }
  const admitted = admit(req, options);
  if (!admitted.ok) {
    writeRawResponse(socket, admitted.status, admitted.message, admitted.headers);
    return;
  }
  const { target, user, tunnel } = admitted;
  let stream: ClientHttp2Stream;
  try {
    stream = tunnel.session.request({
      ...endToEndHeaders(req.headers, isProxyControlHeader),
      ':method': 'CONNECT',
      ':authority': `${target.virtualHost}:${target.virtualPort}`,
      [StreamHeader.virtualHost]: target.virtualHost,
      [StreamHeader.virtualPort]: String(target.virtualPort),
      [StreamHeader.protocol]: 'HTTP',
      [StreamHeader.upgrade]: 'websocket',
      [StreamHeader.path]: target.path,
      [StreamHeader.method]: req.method ?? 'GET',
      ...(user ? { [StreamHeader.user]: encodeUser(user) } : {}),
    });
  } catch {
    writeRawResponse(socket, 503, 'The Cloud Connector connection was lost; retry the request.');
    return;
  }
  stream.on('error', () => socket.destroy());
  socket.on('close', () => {
    if (!stream.closed) stream.close(h2.NGHTTP2_CANCEL);
  });
  stream.on('response', (headers) => {
    const status = Number(headers[':status']);
    if (status !== 200) {
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (text.length < 4096) text += chunk;
      });
      stream.on('end', () => writeRawResponse(socket, status, text.trim()));
      return;
    }
    if (head.length > 0) stream.write(head);
    socket.pipe(stream);
    stream.pipe(socket);
    // A reset stream never ends the socket through the pipe; a finished one has ended it already.
    stream.on('close', () => {
      if (!socket.writableEnded) socket.destroy();
    });
  });
}
