import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// Hop-by-hop headers (RFC 9110 §7.6.1) plus those a forward must never take from a local client: credentials
// and routing come only from the destination, never from whoever talks to 127.0.0.1.
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'];
const neverFromClient = ['host', 'authorization', 'proxy-authorization', 'forwarded', 'expect', 'origin', 'referer'];

function isRefused(name: string): boolean {
  return name.startsWith('sap-connectivity-') || name.startsWith('x-forwarded-') || name.startsWith('proxy-');
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
export function upstreamHeaders(client: IncomingHttpHeaders, additions: HeaderAdditions, keepUpgrade = false): Record<string, string | string[]> {
  const named = String(client.connection ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  const dropped = new Set([...hopByHop, ...neverFromClient, ...named]);
  if (keepUpgrade) {
    dropped.delete('upgrade');
    dropped.delete('connection');
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || dropped.has(name) || isRefused(name)) continue;
    out[name] = value;
  }
  for (const [name, value] of Object.entries(additions.defaults ?? {})) out[name.toLowerCase()] ??= value;
  for (const [name, value] of Object.entries(additions.overrides ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** Response headers to pass back: hop-by-hop removed (Node adds its own framing). */
export function downstreamHeaders(upstream: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const named = String(upstream.connection ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || hopByHop.includes(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}
