import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Handler } from '../http/server';
import { sendJson } from '../http/respond';

/**
 * The sandbox's "Internet" API behind the Internet destinations: it answers every request with what it
 * received (method, path, query, headers, body digest), so tests and the demo can see which credentials and
 * headers arrived; `…/bytes/N` streams N bytes and `…/status/NNN` answers with that status.
 * `clientCertificates`: the mTLS variant behind the client-certificate destinations, which answers only clients
 * that presented a certificate of the sandbox CA (401 otherwise, naming why) and echoes its subject.
 */
export function createEchoApi(options: { clientCertificates?: boolean } = {}): Handler {
  const service = options.clientCertificates ? 'sandbox-mtls-api' : 'sandbox-internet-api';
  return async (req, res) => {
    const peer = options.clientCertificates ? clientCertificateOf(req) : undefined;
    if (peer && !peer.authorized) {
      req.resume();
      sendJson(res, 401, { service, error: `A client certificate issued by the sandbox CA is required (${peer.reason}).` });
      return;
    }
    const bytes = /^\/(?:[^/]+\/)*bytes\/([0-9]{1,10})$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (bytes && req.method === 'GET') return streamBytes(res, Number(bytes[1]));
    const hash = createHash('sha256');
    let size = 0;
    let preview = '';
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      hash.update(buffer);
      if (preview.length < 4096) preview += buffer.toString('utf8', 0, Math.min(buffer.length, 4096 - preview.length));
    }
    const url = new URL(req.url ?? '/', 'http://echo');
    const status = /\/status\/([1-5][0-9][0-9])$/.exec(url.pathname)?.[1];
    sendJson(res, status ? Number(status) : 200, {
      service,
      ...(peer?.authorized ? { clientCertificate: { subject: peer.subject, issuer: peer.issuer } } : {}),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: { size, sha256: hash.digest('hex'), preview },
    });
  };
}

type Peer = { authorized: true; subject: string; issuer: string } | { authorized: false; reason: string };

/** What the TLS handshake proved about the client: the listener asks for a certificate but decides here. */
function clientCertificateOf(req: IncomingMessage): Peer {
  const socket = req.socket as TLSSocket;
  const certificate = socket.getPeerCertificate?.();
  if (!certificate || Object.keys(certificate).length === 0) return { authorized: false, reason: 'none was presented' };
  if (!socket.authorized) return { authorized: false, reason: String(socket.authorizationError ?? 'it is not trusted') };
  return { authorized: true, subject: `CN=${String(certificate.subject.CN)}`, issuer: `CN=${String(certificate.issuer.CN)}` };
}

const pattern = Buffer.alloc(64 * 1024, 'btp-connect ');

/** `GET …/bytes/N`: N bytes of a repeating pattern, streamed with backpressure (downloads, benchmarks). */
async function streamBytes(res: ServerResponse, size: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  let left = size;
  while (left > 0) {
    const chunk = left >= pattern.length ? pattern : pattern.subarray(0, left);
    left -= chunk.length;
    if (!res.write(chunk)) {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (res.destroyed) return;
    }
  }
  res.end();
}
