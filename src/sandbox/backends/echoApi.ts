import { createHash } from 'node:crypto';
import type { Handler } from '../http/server';
import { sendJson } from '../http/respond';

/**
 * The sandbox's "Internet" API behind the Internet destinations: it answers every request with what it
 * received (method, path, query, headers, body digest), so tests and the demo can see which credentials and
 * headers arrived.
 */
export function createEchoApi(): Handler {
  return async (req, res) => {
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
    const status = /^\/status\/([1-5][0-9][0-9])$/.exec(url.pathname)?.[1];
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
