import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { DestinationBinding } from '../bindings/types';
import { DestinationServiceClient } from '../destinationService/client';
import type { HttpAgents } from '../http/agents';

/** Tenants a one-port forward keeps a client for; the oldest goes first beyond this (each holds a token). */
const maxTenants = 100;

/**
 * `X-Tenant-Subdomain` / `X-Tenant-Id` of a one-port forward: the Destination service as that subscriber tenant
 * sees it — the binding's client credentials, with the token taken in the tenant's zone. One client per tenant,
 * so that tokens and the circuit breaker are the tenant's own.
 */
export function tenantClients(binding: DestinationBinding, agents: HttpAgents): (tenant: TokenTenant) => DestinationServiceClient {
  const clients = new Map<string, DestinationServiceClient>();
  return (tenant) => {
    const key = tenant.zid !== undefined ? `zid:${tenant.zid}` : `subdomain:${tenant.subdomain ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= maxTenants) clients.delete(clients.keys().next().value as string);
      client = new DestinationServiceClient({ binding, agents, tenant });
      clients.set(key, client);
    }
    return client;
  };
}
