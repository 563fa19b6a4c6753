import type { IncomingHttpHeaders } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import { Client } from '../http/undici';
import type { UpstreamTls } from '../forward/destinationTarget';

/**
 * The network steps of a check, one at a time so that each can be timed and blamed on its own hop: a TCP
 * connection, a TLS handshake on it, one HTTP exchange on that. Nothing here retries or pools.
 */

/** Resolves with the connected socket; rejects with the socket error (`code` kept) or `ETIMEDOUT`. */
export function openTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connecting to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      // Later errors (a reset while nobody listens) must not crash the process.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export interface TlsOutcome {
  readonly socket: TLSSocket;
  /** Verification result as Node computed it (chain and host name); `undefined` = verified. */
  readonly verifyError?: string;
  readonly certificate?: { readonly subject?: string; readonly issuer?: string; readonly validTo?: string };
  readonly protocol?: string;
}

/**
 * A TLS handshake over `socket` with the destination's TLS settings. Verification is evaluated here rather than
 * by Node, so that a refused certificate can be described (subject, issuer, expiry); nothing is sent before the
 * caller has looked at `verifyError`.
 */
export function startTls(
  socket: Socket,
  host: string,
  tls: Omit<UpstreamTls, 'ca'> & { readonly ca?: string | readonly string[] },
  timeoutMs: number,
): Promise<TlsOutcome> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      host,
      ...(isIP(host) ? {} : { servername: host }),
      ...(tls.ca ? { ca: tls.ca as string | string[] } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...(tls.pfx ? { pfx: tls.pfx } : {}),
      ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => secure.destroy(Object.assign(new Error(`the TLS handshake with ${host} timed out`), { code: 'ETIMEDOUT' })), timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.off('error', reject);
      secure.on('error', () => undefined);
      const peer = secure.getPeerCertificate();
      const error = secure.authorized ? undefined : String(secure.authorizationError ?? 'UNKNOWN');
      resolve({
        socket: secure,
        ...(error ? { verifyError: error } : {}),
        ...(peer && Object.keys(peer).length > 0 ? { certificate: describeCertificate(peer) } : {}),
        ...(secure.getProtocol() ? { protocol: secure.getProtocol() ?? '' } : {}),
      });
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The first bytes of the body (at most `maxBodyBytes`): only ever matched against proxy and Cloud Connector texts. */
  readonly bodyStart: string;
}

const maxBodyBytes = 4096;

/**
 * One request on an open socket; resolves when the head and the first bytes of the body are in. undici, not
 * `node:http`: VS Code's extension host patches `http.request` for its proxy support and would send an
 * absolute-form request (the connectivity proxy's) somewhere else instead of on this socket.
 */
export async function exchange(
  socket: Socket,
  options: { method: string; path: string; headers: Record<string, string | string[]> },
  timeoutMs: number,
): Promise<HttpAnswer> {
  const client = new Client('http://diagnosis.invalid', {
    // undici takes the socket only in a later tick: called back at once, it waits forever.
    connect: (_options, callback) => queueMicrotask(() => callback(null, socket)),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  try {
    const { statusCode, headers, body } = await client.request({
      method: options.method as Dispatcher.HttpMethod,
      path: options.path,
      headers: options.headers,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxBodyBytes) break;
      }
    } catch {
      // A body cut off after the head: the head is the answer.
    }
    return { status: statusCode, headers: headers as IncomingHttpHeaders, bodyStart: Buffer.concat(chunks).toString('utf8', 0, Math.min(size, maxBodyBytes)) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    // undici's own timeout codes, as the callers know them from sockets.
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
      throw Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
    if (code === 'UND_ERR_SOCKET') throw Object.assign(new Error((error as Error).message), { code: errnoOfCause(error) ?? 'ECONNRESET' });
    throw error;
  } finally {
    void client.destroy().catch(() => undefined);
  }
}

function errnoOfCause(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function describeCertificate(peer: PeerCertificate): { subject?: string; issuer?: string; validTo?: string } {
  const name = (entity: PeerCertificate['subject'] | undefined) =>
    entity
      ? entity.CN
        ? `CN=${String(entity.CN)}`
        : Object.entries(entity)
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(', ')
      : undefined;
  const subject = name(peer.subject);
  const issuer = name(peer.issuer);
  return { ...(subject ? { subject } : {}), ...(issuer ? { issuer } : {}), ...(peer.valid_to ? { validTo: peer.valid_to } : {}) };
}
