import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { isContractHeader } from './transparentContract';

// Hop-by-hop headers (RFC 9110 §7.6.1) plus those a forward must never take from a local client: credentials
// and routing come only from the destination, never from whoever talks to 127.0.0.1.
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'];
// `x-btp-connect-session` picks the forward's own backend session (sessionCookies.ts) and is nobody else's business.
const neverFromClient = ['host', 'authorization', 'proxy-authorization', 'forwarded', 'expect', 'origin', 'referer', 'x-btp-connect-session'];
const droppedAlways = new Set([...hopByHop, ...neverFromClient]);

function isRefused(name: string): boolean {
  const first = name.charCodeAt(0);
  // Only names starting with s, x or p can be refused: most headers are decided by one comparison.
  if (first !== 115 && first !== 120 && first !== 112) return false;
  // The transparent proxy's request headers are the forward's business, and some carry tokens (X-Refresh-Token…).
  return name.startsWith('sap-connectivity-') || name.startsWith('x-forwarded-') || name.startsWith('proxy-') || (first === 120 && isContractHeader(name));
}

export interface HeaderPolicy {
  /**
   * Pass `Cookie` up and `Set-Cookie` down. Off by default: browsers do not separate cookies by port, so any
   * other app on localhost would see the upstream's session cookies, and send its own upstream (AC-14).
   */
  readonly passCookies?: boolean;
}

export interface HeaderAdditions {
  /** Added only where the client did not send the header (`URL.headers.*`, `sap-client`), as the approuter does. */
  readonly defaults?: Readonly<Record<string, string>>;
  /** Always set: credentials and routing from the destination. */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * The headers to send upstream: the client's, minus hop-by-hop (including those named in `Connection`) and
 * refused ones, plus the destination's defaults and overrides.
 */
export function upstreamHeaders(client: IncomingHttpHeaders, additions: HeaderAdditions, policy: HeaderPolicy = {}): Record<string, string | string[]> {
  const dropped = droppedAlways;
  const dropCookie = policy.passCookies !== true;
  // Headers named in `Connection` are hop-by-hop too; `keep-alive` and `close` name none worth a split.
  const connection = client.connection;
  const named =
    connection && connection !== 'keep-alive' && connection !== 'close' ? connection.split(',').map((token) => token.trim().toLowerCase()) : undefined;
  const out: Record<string, string | string[]> = {};
  for (const name in client) {
    const value = client[name];
    if (value === undefined || dropped.has(name) || isRefused(name) || (dropCookie && name === 'cookie') || (named && named.includes(name))) continue;
    out[name] = value;
  }
  for (const [name, value] of Object.entries(additions.defaults ?? {})) out[name.toLowerCase()] ??= value;
  for (const [name, value] of Object.entries(additions.overrides ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** Response headers to pass back: hop-by-hop removed (Node adds its own framing), `Set-Cookie` unless passed. */
export function downstreamHeaders(upstream: Record<string, string | string[] | undefined>, policy: HeaderPolicy = {}): OutgoingHttpHeaders {
  const dropCookie = policy.passCookies !== true;
  const named = String(upstream.connection ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    // CORS grants are meaningless here (only same-origin requests pass) and would widen what a page may read (AC-03).
    if (value === undefined || hopByHop.includes(name) || named.includes(name) || (dropCookie && name === 'set-cookie') || name.startsWith('access-control-'))
      continue;
    out[name] = value;
  }
  return out;
}
