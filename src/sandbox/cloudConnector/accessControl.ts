import { isHttpMapping, type MappedResource, type SystemMapping } from './types';

export type AccessDecision =
  | { readonly allowed: true; readonly mapping: SystemMapping }
  | { readonly allowed: false; readonly reason: 'no-mapping' | 'protocol' | 'resource' | 'websocket'; readonly mapping?: SystemMapping };

/** Virtual host names compare like DNS names (case-insensitive); ports exactly. */
function mappingFor(mappings: readonly SystemMapping[], virtualHost: string, virtualPort: number): SystemMapping | undefined {
  const host = virtualHost.toLowerCase();
  return mappings.find((mapping) => mapping.virtualHost.toLowerCase() === host && mapping.virtualPort === virtualPort);
}

/**
 * Deny by default (spec §6): an HTTP request needs an HTTP(S) mapping for the virtual host and port and an
 * enabled resource matching the path without query, case-sensitively: "Path only" by equality, "Path and all
 * sub-paths" by plain string prefix (`/a` admits `/ab`). A WebSocket upgrade also needs `websocketUpgradeAllowed`.
 */
export function checkHttpAccess(
  mappings: readonly SystemMapping[],
  virtualHost: string,
  virtualPort: number,
  pathAndQuery: string,
  webSocket = false,
): AccessDecision {
  const mapping = mappingFor(mappings, virtualHost, virtualPort);
  if (!mapping) return { allowed: false, reason: 'no-mapping' };
  if (!isHttpMapping(mapping)) return { allowed: false, reason: 'protocol', mapping };
  const path = pathAndQuery.split('?')[0] ?? '';
  const matching = (mapping.resources ?? []).filter((resource) => resource.enabled === true && resourceMatches(resource, path));
  if (matching.length === 0) return { allowed: false, reason: 'resource', mapping };
  if (webSocket && !matching.some((resource) => resource.websocketUpgradeAllowed === true)) return { allowed: false, reason: 'websocket', mapping };
  return { allowed: true, mapping };
}

export function resourceMatches(resource: MappedResource, path: string): boolean {
  return resource.exactMatchOnly === true ? path === resource.id : path.startsWith(resource.id);
}

/** TCP (SOCKS5) needs a TCP or TCPS mapping; resources do not apply. */
export function checkTcpAccess(mappings: readonly SystemMapping[], virtualHost: string, virtualPort: number): AccessDecision {
  const mapping = mappingFor(mappings, virtualHost, virtualPort);
  if (!mapping) return { allowed: false, reason: 'no-mapping' };
  if (mapping.protocol !== 'TCP' && mapping.protocol !== 'TCPS') return { allowed: false, reason: 'protocol', mapping };
  return { allowed: true, mapping };
}

/** The 403 text of a denied HTTP request, as the real Cloud Connector words it [OBS]. */
export function accessDeniedText(virtualHost: string, virtualPort: number): string {
  return (
    `Access denied to system ${virtualHost}:${virtualPort}. The Cloud Connector has no access control entry or resource that allows this request. ` +
    'If this is unexpected, make sure that you expose the system correctly in your cloud connector.'
  );
}

/**
 * A backend redirect to its own internal origin goes back out under the virtual one: the first mapping whose
 * internal host, port and scheme match wins; anything else (relative, foreign, malformed) passes untouched.
 */
export function rewriteLocation(location: string, mappings: readonly SystemMapping[]): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  const protocol = url.protocol === 'https:' ? 'HTTPS' : url.protocol === 'http:' ? 'HTTP' : undefined;
  if (!protocol) return location;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port === '' ? (protocol === 'HTTPS' ? 443 : 80) : Number(url.port);
  const mapping = mappings.find((candidate) => candidate.protocol === protocol && candidate.localHost.toLowerCase() === host && candidate.localPort === port);
  if (!mapping) return location;
  return `http://${mapping.virtualHost}:${mapping.virtualPort}${url.pathname}${url.search}${url.hash}`;
}
