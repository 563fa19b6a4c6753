import { request as httpRequest, type IncomingMessage } from 'node:http';
import { constants as h2, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../../core/log';
import { pipeStream } from '../tunnel/pipeStream';
import { decodeUser, endToEndHeaders, StreamHeader } from '../tunnel/tunnelProtocol';
import { accessDeniedText, checkHttpAccess, rewriteLocation } from './accessControl';
import type { BackendAccess } from './backend';
import type { SystemMapping } from './types';

export interface StreamContext {
  readonly mappings: () => readonly SystemMapping[];
  readonly backend: BackendAccess;
  readonly logger: Logger;
}

const noBodyStatuses = new Set([204, 205, 304]);
const idleTimeoutMs = 60_000;

/** One cloud HTTP request (an h2 stream from the proxy): access control, then the backend request, streamed both ways. */
export function serveHttpStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, context: StreamContext): void {
  const virtualHost = String(headers[StreamHeader.virtualHost] ?? '');
  const virtualPort = Number(headers[StreamHeader.virtualPort]);
  const path = String(headers[':path'] ?? '/');
  const method = String(headers[':method'] ?? 'GET');
  const mappings = context.mappings();
  const decision = checkHttpAccess(mappings, virtualHost, virtualPort, path);
  if (!decision.allowed) {
    context.logger.info(`Access Denied: ${method} ${virtualHost}:${virtualPort}${path.split('?')[0]} (${decision.reason})`);
    respondText(stream, 403, accessDeniedText(virtualHost, virtualPort));
    stream.resume();
    return;
  }
  const mapping = decision.mapping;
  const backend = context.backend;
  let outgoing: ReturnType<typeof httpRequest>;
  try {
    const options = {
      host: mapping.localHost,
      port: mapping.localPort,
      method,
      path,
      headers: backend.requestHeaders(mapping, headers, decodeUser(headers[StreamHeader.user])),
      timeout: idleTimeoutMs,
    };
    outgoing =
      mapping.protocol === 'HTTPS'
        ? httpsRequest({ ...options, agent: backend.agentFor(mapping) })
        : httpRequest({ ...options, agent: backend.agentFor(mapping) });
  } catch (error) {
    respondText(stream, 502, `The Cloud Connector could not build the request for ${virtualHost}:${virtualPort}: ${(error as Error).message}`);
    stream.resume();
    return;
  }
  outgoing.on('timeout', () => outgoing.destroy(new Error('the backend did not answer in time')));
  let complete = false;
  outgoing.on('response', (response: IncomingMessage) => {
    response.once('end', () => (complete = true));
    relayResponse(stream, response, method, mappings);
  });
  outgoing.on('error', (error) => {
    context.logger.debug(`backend ${mapping.localHost}:${mapping.localPort} for ${virtualHost}:${virtualPort} failed: ${error.message}`);
    if (!stream.headersSent) {
      respondText(stream, 502, `The Cloud Connector could not reach the backend of ${virtualHost}:${virtualPort}: ${error.message}`);
      stream.resume();
    } else stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  });
  // The cloud client gave up (or the tunnel dropped): stop the backend request too.
  stream.on('close', () => {
    if (!complete) outgoing.destroy();
  });
  stream.on('error', () => outgoing.destroy());
  if (stream.endAfterHeaders) {
    // Its HEADERS frame ended the stream: a request without a body, nothing to pipe.
    outgoing.end();
    return;
  }
  // A body without Content-Length must go out chunked: for GET, HEAD, DELETE and OPTIONS Node's client sends it
  // unframed, and the backend reads it as the next request on the kept-alive connection, a request smuggled past
  // access control. Decided at the first DATA frame, so that the head of a bodiless request stays as it was.
  if (headers['content-length'] === undefined) stream.once('data', () => (outgoing.useChunkedEncodingByDefault = true));
  pipeStream(stream, outgoing);
}

function relayResponse(stream: ServerHttp2Stream, response: IncomingMessage, method: string, mappings: readonly SystemMapping[]): void {
  if (stream.closed || stream.destroyed) {
    response.destroy();
    return;
  }
  const status = response.statusCode ?? 502;
  const headers = endToEndHeaders(response.headers);
  if (status >= 300 && status < 400 && typeof headers.location === 'string') headers.location = rewriteLocation(headers.location, mappings);
  const bodyless = method === 'HEAD' || noBodyStatuses.has(status);
  if (noBodyStatuses.has(status)) delete headers['content-length'];
  try {
    stream.respond({ ...headers, ':status': status }, { endStream: bodyless });
  } catch (error) {
    // HTTP/1.1 allows header values HTTP/2 refuses; such a response cannot cross the tunnel.
    response.destroy();
    respondText(stream, 502, `The backend answered with a header the tunnel cannot carry: ${(error as Error).message}`);
    return;
  }
  if (bodyless) response.resume();
  else response.pipe(stream);
}

function respondText(stream: ServerHttp2Stream, status: number, text: string): void {
  if (stream.closed || stream.destroyed) return;
  const body = `${text}\n`;
  stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  stream.end(body);
}
