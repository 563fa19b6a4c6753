import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Handler } from '../http/server';
import { sendJson } from '../http/respond';

/**
 * The sandbox's "Internet" API behind the Internet destinations: it answers every request with what it
 * received (method, path, query, headers, body digest), so tests and the demo can see which credentials and
 * headers arrived; `…/bytes/N` streams N bytes and `…/status/NNN` answers with that status.
 */
export function createEchoApi(): Handler {
  return async (req, res) => {
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
      service: 'sandbox-internet-api',
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: { size, sha256: hash.digest('hex'), preview },
    });
  };
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
