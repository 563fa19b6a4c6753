import type { IncomingMessage } from 'node:http';

/**
 * Who may use a forward: only local clients addressing it by a loopback name and its exact port, and never a
 * page of another origin (DNS rebinding, cross-site requests, cross-site WebSockets). Exact string compares
 * after lower-casing: no regex on raw input, no DNS.
 */
export type LocalCheck = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 403 | 405; readonly reason: string };

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function checkLocalRequest(req: IncomingMessage, hosts: ReadonlySet<string>): LocalCheck {
  if (req.method === 'CONNECT') return { ok: false, status: 405, reason: 'CONNECT is not supported: this is not a general proxy' };
  if (!(req.url ?? '').startsWith('/')) return { ok: false, status: 400, reason: 'absolute-form request targets are refused: this is not a general proxy' };
  const hostValues = req.headersDistinct.host ?? [];
  if (hostValues.length !== 1) return { ok: false, status: 403, reason: 'exactly one Host header is required' };
  if (!hosts.has((hostValues[0] ?? '').toLowerCase())) return { ok: false, status: 403, reason: 'the Host header does not name this local forward' };
  const origins = req.headersDistinct.origin ?? [];
  if (origins.length > 1) return { ok: false, status: 403, reason: 'several Origin headers' };
  const origin = origins[0];
  if (origin !== undefined) {
    const lower = origin.toLowerCase();
    if (!lower.startsWith('http://') || !hosts.has(lower.slice('http://'.length))) {
      return { ok: false, status: 403, reason: 'requests from other origins are refused' };
    }
  }
  if ((req.headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site') return { ok: false, status: 403, reason: 'cross-site requests are refused' };
  return { ok: true };
}
