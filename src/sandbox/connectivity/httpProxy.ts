import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { constants as h2, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log';
import { admit, type AdmissionContext, type Admitted } from './admission';
import { writeRawResponse } from './rawResponse';
import { encodeUser, endToEndHeaders, isProxyControlHeader, StreamHeader } from '../tunnel/tunnelProtocol';
import { pipeStream } from '../tunnel/pipeStream';
import { proxyWebSocket } from './webSocketProxy';

export interface HttpProxyOptions extends AdmissionContext {
  readonly logger: Logger;
}

/** Request line plus headers, as the real proxy limits them (spec §5.1). */
export const maxHeaderBytes = 8192;

/**
 * The HTTP port of the connectivity proxy (spec §5.1): absolute-form `http://` requests, authenticated by a
 * connectivity token, forwarded as HTTP/2 requests over the tunnel of the matching Cloud Connector. Bodies
 * stream both ways with backpressure; nothing is buffered whole.
 */
export function createHttpProxyServer(options: HttpProxyOptions): Server {
  const { logger } = options;
  const server = createServer({ maxHeaderSize: maxHeaderBytes }, (req, res) => {
    try {
      forward(req, res, options);
    } catch (error) {
      logger.error(`proxying ${req.method} failed`, error instanceof Error ? error.stack : error);
      if (!res.headersSent) sendText(res, 500, 'Internal connectivity proxy error.');
      else res.destroy();
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    writeRawResponse(
      socket,
      405,
      'CONNECT is not offered by the connectivity proxy; use an http:// URL (TLS to the backend is set in the Cloud Connector) or SOCKS5.',
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    proxyWebSocket(req, socket, head, options);
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      // The parser counts the request line too; a first line beyond the limit is a URI problem.
      const firstLineEnd = error.rawPacket?.indexOf('\n') ?? -1;
      const uriTooLong = firstLineEnd < 0 || firstLineEnd > maxHeaderBytes;
      writeRawResponse(socket, uriTooLong ? 414 : 431, `The request line and headers must stay within ${maxHeaderBytes} bytes.`);
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') writeRawResponse(socket, 408, 'The request head did not arrive in time.');
    else writeRawResponse(socket, 400, 'Malformed HTTP request.');
  });
  return server;
}

function forward(req: IncomingMessage, res: ServerResponse, options: HttpProxyOptions): void {
  const admitted = admit(req, options);
  if (!admitted.ok) {
    sendText(res, admitted.status, admitted.message, admitted.headers);
    req.resume();
    return;
  }
  // Most requests carry no body: their HEADERS frame ends the stream, and there is nothing to pipe.
  const bodiless = !hasBody(req);
  let stream: ClientHttp2Stream;
  try {
    stream = admitted.tunnel.session.request(streamHeaders(req, admitted), bodiless ? { endStream: true } : {});
  } catch (error) {
    options.logger.debug(`tunnel request failed: ${(error as Error).message}`);
    sendText(res, 503, 'The Cloud Connector connection was lost; retry the request.');
    req.resume();
    return;
  }
  stream.on('response', (headers) => {
    try {
      res.writeHead(Number(headers[':status']), endToEndHeaders(headers));
    } catch (error) {
      // A head HTTP/1.1 cannot carry (odd status, invalid value) must not escape an event handler.
      options.logger.warn(`unusable response head from the Cloud Connector: ${(error as Error).message}`);
      stream.close(h2.NGHTTP2_CANCEL);
      if (!res.headersSent) sendText(res, 502, 'The Cloud Connector sent a response the proxy cannot forward.');
      return;
    }
    pipeStream(stream, res);
    // Body bytes that came with the head are relayed within this turn of the event loop and carry the head in
    // the same write; only when none did does the head go out alone, so that a slow or streamed body does not
    // hold it back (one write a small response instead of two).
    let relayed = false;
    stream.once('data', () => (relayed = true));
    setImmediate(() => {
      if (!relayed && !res.writableEnded && !res.destroyed) res.flushHeaders();
    });
  });
  stream.on('error', (error) => {
    options.logger.debug(`tunnel stream failed: ${error.message}`);
    if (!res.headersSent) sendText(res, 502, 'The Cloud Connector connection failed during the request.');
    else res.destroy();
  });
  // A tunnel that goes away with a FIN closes the stream without an 'error': the client must not wait forever.
  stream.on('close', () => {
    if (!res.headersSent && !res.destroyed) sendText(res, 502, 'The Cloud Connector connection was lost during the request.');
  });
  // A client that goes away cancels the stream, and with it the backend request.
  res.on('close', () => {
    if (!res.writableFinished && !stream.closed) stream.close(h2.NGHTTP2_CANCEL);
  });
  if (!bodiless) req.pipe(stream);
}

/** RFC 9112 §6.3: a request without Transfer-Encoding and Content-Length has no body. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function streamHeaders(req: IncomingMessage, admitted: Admitted): OutgoingHttpHeaders {
  const { target, user } = admitted;
  return {
    ...endToEndHeaders(req.headers, isProxyControlHeader),
    ':method': req.method ?? 'GET',
    ':path': target.path,
    ':scheme': 'http',
    ':authority': `${target.virtualHost}:${target.virtualPort}`,
    [StreamHeader.virtualHost]: target.virtualHost,
    [StreamHeader.virtualPort]: String(target.virtualPort),
    [StreamHeader.protocol]: 'HTTP',
    ...(user ? { [StreamHeader.user]: encodeUser(user) } : {}),
  };
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = `${text}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
