import type { CertificateRecord, DestinationRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { openClientKeystore } from './keystore';
import { assertForwardable } from './notForwardable';

/** What a destination's properties say about where and how to connect (spec §4), for HTTP and TCP forwards. */

export type ProxyType = 'Internet' | 'OnPremise' | 'PrivateLink';

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
}

/** TLS settings for HTTPS upstreams: trust store, client keystore, TrustAll. */
export interface UpstreamTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly pfx?: Buffer;
  readonly passphrase?: string;
  readonly rejectUnauthorized: boolean;
}

export function proxyTypeOf(destination: DestinationRecord): ProxyType {
  const value = destination.ProxyType ?? destination['ldap.proxyType'] ?? destination['jco.destination.proxy_type'] ?? 'Internet';
  return value === 'OnPremise' || value === 'PrivateLink' ? value : 'Internet';
}

export function locationIdOf(destination: DestinationRecord): string | undefined {
  return destination.CloudConnectorLocationId || destination['jco.client.cloud_connector_location_id'] || undefined;
}

/** HTTP forwards go to `URL`; OnPremise URLs must be http:// (the Cloud Connector does TLS to the backend). */
export function httpTargetOf(name: string, destination: DestinationRecord): URL {
  assertForwardable(name, destination);
  let url: URL;
  try {
    url = new URL(destination.URL ?? '');
  } catch {
    throw new BtpError(ErrorCode.InvalidInput, `Destination "${name}" has no absolute URL; an HTTP forward needs one.`, { field: 'URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BtpError(ErrorCode.Unsupported, `Destination "${name}" has a ${url.protocol} URL; HTTP forwards need http:// or https://.`, { field: 'URL' });
  }
  if (proxyTypeOf(destination) === 'OnPremise' && url.protocol === 'https:') {
    throw new BtpError(
      ErrorCode.Unsupported,
      `OnPremise destination "${name}" uses https://, which the connectivity proxy refuses (405). Use http:// with the virtual host; the Cloud Connector does TLS when its access-control entry has protocol HTTPS.`,
      { field: 'URL' },
    );
  }
  return url;
}

/** TCP forwards: `Address` (TCP), `ldap.url`, `mail.smtp.host`/`port`, or an HTTP destination's URL as raw TCP. */
export function tcpTargetOf(name: string, destination: DestinationRecord): TcpTarget {
  assertForwardable(name, destination);
  const type = destination.Type ?? 'HTTP';
  if (type === 'MAIL') {
    const host = destination['mail.smtp.host'] ?? destination['mail.imap4.host'] ?? destination['mail.pop3.host'];
    if (!host) throw new BtpError(ErrorCode.InvalidInput, `MAIL destination "${name}" has no mail.smtp.host.`, { field: 'mail.smtp.host' });
    const port = destination['mail.smtp.port'] ?? destination['mail.imap4.port'] ?? destination['mail.pop3.port'] ?? '25';
    return { host, port: parsePort(name, port, 'mail.smtp.port') };
  }
  const field = type === 'TCP' ? 'Address' : type === 'LDAP' ? 'ldap.url' : 'URL';
  const raw = destination[field];
  if (!raw) throw new BtpError(ErrorCode.InvalidInput, `Destination "${name}" has no ${field}.`, { field });
  const text = raw.includes('://') ? raw : `tcp://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BtpError(ErrorCode.InvalidInput, `${field} of destination "${name}" is not host:port or a URL.`, { field });
  }
  const defaults: Record<string, string> = { 'ldap:': '389', 'ldaps:': '636', 'http:': '80', 'https:': '443' };
  const port = url.port || defaults[url.protocol];
  if (!url.hostname || !port) throw new BtpError(ErrorCode.InvalidInput, `${field} of destination "${name}" needs a host and a port.`, { field });
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: parsePort(name, port, field) };
}

/** URL.headers.*, sap-client and URL.queries.* that go with every request (spec §4.1). */
export function requestAdditions(destination: DestinationRecord): { headers: Record<string, string>; queries: [string, string][] } {
  const headers: Record<string, string> = {};
  const queries: [string, string][] = [];
  for (const [property, value] of Object.entries(destination)) {
    if (property.startsWith('URL.headers.')) headers[property.slice('URL.headers.'.length).toLowerCase()] = value;
    else if (property.startsWith('URL.queries.')) queries.push([property.slice('URL.queries.'.length), value]);
  }
  if (destination['sap-client']) headers['sap-client'] = destination['sap-client'];
  return { headers, queries };
}

export function upstreamTlsOf(destination: DestinationRecord, certificates: readonly CertificateRecord[]): UpstreamTls {
  const byName = (name: string | undefined) => (name ? certificates.find((certificate) => certificate.Name === name) : undefined);
  const trust = byName(destination.TrustStoreLocation);
  const keystore = destination.Authentication === 'ClientCertificateAuthentication' ? byName(destination.KeyStoreLocation) : undefined;
  const tls: { -readonly [K in keyof UpstreamTls]: UpstreamTls[K] } = { rejectUnauthorized: destination.TrustAll !== 'true' };
  if (trust && /\.(pem|crt|cer)$/i.test(trust.Name)) tls.ca = Buffer.from(trust.Content, 'base64').toString('utf8');
  // Throws a field-named error when KeyStorePassword does not open the key store.
  if (keystore) Object.assign(tls, openClientKeystore(destination, keystore));
  return tls;
}

function parsePort(name: string, text: string, field: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new BtpError(ErrorCode.InvalidInput, `${field} of destination "${name}" is not a port number.`, { field });
  }
  return port;
}
