/**
 * The headers of a request to the connectivity proxy's HTTP port (spec §5.1), written in one place for the HTTP
 * forward, its WebSocket path and the connection check: the virtual host, the connectivity token, the Cloud
 * Connector's location ID when there is one (absent, never empty) and the propagated user when asked for.
 */
export interface ProxyHeaderInput {
  /** `host[:port]` of the virtual system as the destination's URL names it. */
  readonly virtualHost: string;
  readonly connectivityToken: string;
  readonly locationId?: string | undefined;
  /** `Bearer <user token>` for PrincipalPropagation destinations. */
  readonly propagation?: string | undefined;
}

export function connectivityProxyHeaders(input: ProxyHeaderInput): Record<string, string> {
  const headers: Record<string, string> = { host: input.virtualHost, 'proxy-authorization': `Bearer ${input.connectivityToken}` };
  if (input.locationId) headers['sap-connectivity-scc-location_id'] = input.locationId;
  if (input.propagation) headers['sap-connectivity-authentication'] = input.propagation;
  return headers;
}
