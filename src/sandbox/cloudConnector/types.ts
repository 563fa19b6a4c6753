/**
 * The Cloud Connector's access control (spec §6), in the field names of its configuration REST API so that an
 * exported real configuration reads the same.
 */

export type BackendProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'TCPS' | 'RFC' | 'RFCS' | 'LDAP' | 'LDAPS';

export type AuthenticationMode = 'NONE' | 'NONE_RESTRICTED' | 'X509_GENERAL' | 'X509_RESTRICTED' | 'KERBEROS';

/** One entry of a system mapping's allowlist. */
export interface MappedResource {
  /** URL path (HTTP); compared case-sensitively with the request path without its query. */
  readonly id: string;
  /** As in the real API, a resource is off unless enabled. */
  readonly enabled?: boolean;
  /** `true` = "Path only" (equality); `false` = "Path and all sub-paths" (plain string prefix). */
  readonly exactMatchOnly?: boolean;
  readonly websocketUpgradeAllowed?: boolean;
  readonly description?: string;
}

export interface SystemMapping {
  readonly virtualHost: string;
  readonly virtualPort: number;
  readonly localHost: string;
  readonly localPort: number;
  /** The protocol towards the backend; the cloud side is always plain HTTP or TCP. */
  readonly protocol: BackendProtocol;
  /** `virtual` (default): the backend sees `Host: vhost:vport`; `internal`: the internal host, virtual in X-Forwarded-Host. */
  readonly hostInHeader?: 'virtual' | 'internal';
  /** Principal type: X509_* inject a short-lived certificate of the propagated user; NONE ignores propagation. */
  readonly authenticationMode?: AuthenticationMode;
  /** HTTP mappings only; none = nothing is exposed. */
  readonly resources?: readonly MappedResource[];
  readonly description?: string;
}

export function isHttpMapping(mapping: SystemMapping): boolean {
  return mapping.protocol === 'HTTP' || mapping.protocol === 'HTTPS';
}

export function isTlsMapping(mapping: SystemMapping): boolean {
  return mapping.protocol.endsWith('S');
}

export function propagatesPrincipal(mapping: SystemMapping): boolean {
  return mapping.authenticationMode === 'X509_GENERAL' || mapping.authenticationMode === 'X509_RESTRICTED';
}
