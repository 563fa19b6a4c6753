import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * The wire contract between the connectivity proxy and a Cloud Connector. The connector dials out and upgrades
 * one HTTP/1.1 connection to `btp-connect-scc/1`; after the `101`, HTTP/2 runs over it with the roles reversed:
 * the proxy is the h2 client and opens one stream per cloud-side request or TCP connection.
 */

export const tunnelUpgradeToken = 'btp-connect-scc/1';
export const tunnelPath = '/connector';

/** Headers of the registration request (HTTP/1.1, connector → proxy). */
export const RegistrationHeader = {
  subaccount: 'x-scc-subaccount',
  /** base64url of the UTF-8 location ID; empty or absent = no location ID. */
  location: 'x-scc-location-id',
} as const;

/** Headers the proxy puts on each h2 stream; clients can never set them (the proxy strips the prefix). */
export const StreamHeader = {
  virtualHost: 'x-scc-tunnel-virtual-host',
  virtualPort: 'x-scc-tunnel-virtual-port',
  /** `HTTP` (h2 request, or CONNECT with `upgrade`) or `TCP` (CONNECT from SOCKS5). */
  protocol: 'x-scc-tunnel-protocol',
  /** `websocket` on a CONNECT stream that carries an HTTP/1.1 upgrade. */
  upgrade: 'x-scc-tunnel-upgrade',
  /** Path and query of a WebSocket upgrade (CONNECT streams have no `:path`). */
  path: 'x-scc-tunnel-path',
  /** Method of a WebSocket upgrade (always GET in practice). */
  method: 'x-scc-tunnel-method',
  /** The propagated user, verified by the proxy: base64url JSON of `PropagatedUser`. */
  user: 'x-scc-tunnel-user',
} as const;

export const streamHeaderPrefix = 'x-scc-tunnel-';

/** The user whose identity the cloud side propagates (principal propagation). */
export interface PropagatedUser {
  readonly userName: string;
  readonly tenantId: string;
  readonly email?: string;
}

export function encodeUser(user: PropagatedUser): string {
  return Buffer.from(JSON.stringify(user)).toString('base64url');
}

export function decodeUser(value: string | string[] | undefined): PropagatedUser | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 8192) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PropagatedUser>;
    if (typeof parsed.userName !== 'string' || typeof parsed.tenantId !== 'string') return undefined;
    return { userName: parsed.userName, tenantId: parsed.tenantId, ...(typeof parsed.email === 'string' ? { email: parsed.email } : {}) };
  } catch {
    return undefined;
  }
}

export function encodeLocation(locationId: string): string {
  return Buffer.from(locationId, 'utf8').toString('base64url');
}

export function decodeLocation(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return '';
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{0,256}$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url').toString('utf8');
}

// RFC 9110 §7.6.1 plus the proxy-only ones; HTTP/2 also refuses the connection-specific names outright.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
  'host',
]);

/**
 * Copies headers minus pseudo-headers, hop-by-hop headers (and those named in `Connection`) and whatever
 * `drop` refuses. Used in both directions on both sides of the tunnel, four times a request: no arrays or sets
 * unless a `Connection` header names some.
 */
export function endToEndHeaders(headers: IncomingHttpHeaders, drop?: (name: string) => boolean): OutgoingHttpHeaders {
  const listed = headers.connection === undefined ? undefined : connectionListed(headers.connection);
  const result: OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || name.startsWith(':') || hopByHop.has(name) || listed?.has(name) === true || drop?.(name) === true) continue;
    result[name] = value;
  }
  return result;
}

function connectionListed(value: string | string[]): Set<string> {
  return new Set(
    String(value)
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The header names a cloud-side client must never get through to the Cloud Connector. */
export function isProxyControlHeader(name: string): boolean {
  return name.startsWith('sap-connectivity-') || name.startsWith('sap-cp-connectivity-') || name.startsWith(streamHeaderPrefix) || name === 'expect';
}
