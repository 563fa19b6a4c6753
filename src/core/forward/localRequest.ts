import type { IncomingMessage } from 'node:http';
import type { OriginAllowList } from './allowedOrigins';
import { destNameOfConnect, destTargetOf, type DestTarget } from './destHost';

/**
 * Who may use a forward: only local clients addressing it by a loopback name and its exact port, and never a
 * page of another origin (DNS rebinding, cross-site and same-site requests, cross-site WebSockets). Exact string
 * compares after lower-casing: no regex on raw input, no DNS. Part of `admit`, which every request kind passes.
 */
export type LocalCheck =
  | { readonly ok: true; /** Set for an accepted proxy-form request (`GET http://<name>.dest/…`). */ readonly proxy?: DestTarget }
  | {
      readonly ok: false;
      readonly status: 400 | 403 | 405;
      readonly reason: string;
      /** The foreign origin that was refused (cut to 200 characters), so the forward can say how to allow it. */
      readonly origin?: string;
    };

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/**
 * `destProxy` (one-port forwards): absolute-form targets `http://<destination>.dest/…` are accepted as HTTP-proxy
 * mode, and then Host must name that target (and a same-origin Origin is its origin); every other absolute form
 * and every CONNECT stays refused (AC-07).
 */
export function checkLocalRequest(req: IncomingMessage, hosts: ReadonlySet<string>, allowedOrigins?: OriginAllowList, destProxy = false): LocalCheck {
  if (req.method === 'CONNECT') {
    const name = destProxy ? destNameOfConnect(req) : undefined;
    if (name !== undefined) {
      return {
        ok: false,
        status: 405,
        reason: `CONNECT is not supported: use http://${name}.dest/… (plain HTTP to this proxy; the forward speaks TLS to the destination), not https://; with undici's ProxyAgent leave proxyTunnel unset (undici 8) or false, not true`,
      };
    }
    return { ok: false, status: 405, reason: 'CONNECT is not supported: this is not a general proxy' };
  }
  let proxy: DestTarget | undefined;
  if (!(req.url ?? '').startsWith('/')) {
    proxy = destProxy ? destTargetOf(req.url ?? '') : undefined;
    if (!proxy) {
      return {
        ok: false,
        status: 400,
        reason: `absolute-form request targets are refused: this is not a general proxy${destProxy ? '; as an HTTP proxy it serves only http://<destination>.dest/… targets' : ''}`,
      };
    }
  }
  // One pass over the raw headers: `headersDistinct` would build arrays for every header of every request.
  let host: string | undefined;
  let hostCount = 0;
  let origin: string | undefined;
  let originCount = 0;
  const raw = req.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      host = raw[index + 1];
      hostCount++;
    } else if (name.length === 6 && name.toLowerCase() === 'origin') {
      origin = raw[index + 1];
      originCount++;
    }
  }
  if (hostCount !== 1) return { ok: false, status: 403, reason: 'exactly one Host header is required' };
  if (proxy ? (host ?? '').toLowerCase() !== proxy.authority : !hosts.has((host ?? '').toLowerCase())) {
    return {
      ok: false,
      status: 403,
      reason: proxy ? `the Host header must name the request's target, ${proxy.authority}` : 'the Host header does not name this local forward',
    };
  }
  if (originCount > 1) return { ok: false, status: 403, reason: 'several Origin headers' };
  if (origin !== undefined) {
    const lower = origin.toLowerCase();
    const own = lower.startsWith('http://') && (proxy ? lower.slice('http://'.length) === proxy.authority : hosts.has(lower.slice('http://'.length)));
    if (!own) {
      // A dev server's page the user allowed: its proxy passes the page's Origin (and Sec-Fetch-Site) on.
      if (allowedOrigins?.allows(lower)) return proxy ? { ok: true, proxy } : allowed;
      const shown = origin.slice(0, 200);
      return {
        ok: false,
        status: 403,
        reason: `requests from origin ${shown} are refused; if that is your dev server, allow it: --allow-origin ${shown} (setting btpConnect.forwards.allowedOrigins, or "allowedOrigins" in a launch configuration's btpConnect block)`,
        origin: shown,
      };
    }
  }
  // For loopback hosts every port is the same site, so `same-site` is another local app's page (F4): browsers may
  // come only from this forward's own origin (`same-origin`) or from the user (`none`, typed or bookmarked).
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite !== undefined) {
    const site = fetchSite.toLowerCase();
    if (site !== 'same-origin' && site !== 'none')
      return {
        ok: false,
        status: 403,
        reason: `requests with Sec-Fetch-Site: ${site === 'same-site' || site === 'cross-site' ? site : 'other'} are refused: only pages of this forward's own origin may use it`,
      };
  }
  return proxy ? { ok: true, proxy } : allowed;
}

const allowed: LocalCheck = { ok: true };
