import type { SystemMapping } from './types';

/** Internal addresses of the sample on-premise systems the sandbox's connectors expose. */
export interface OnPremiseAddresses {
  readonly erpPort: number;
  readonly linePort: number;
}

/**
 * The access control of the sandbox's Cloud Connector for the provider subaccount, matching the seeded OnPremise
 * destinations (`onprem-erp-*` → erp.virtual:8000, `onprem-tcp-db`, `onprem-ldap`, `onprem-mail`).
 */
export function defaultLocationMappings(addresses: OnPremiseAddresses): SystemMapping[] {
  const line = (virtualHost: string, virtualPort: number, description: string, propagate = false): SystemMapping => ({
    virtualHost,
    virtualPort,
    localHost: '127.0.0.1',
    localPort: addresses.linePort,
    protocol: 'TCP',
    authenticationMode: propagate ? 'X509_GENERAL' : 'NONE',
    description,
  });
  return [
    erpMapping(addresses, 'X509_GENERAL'),
    line('db.virtual', 5432, 'Line service as a database; propagates the user in a PROXY v2 header', true),
    line('ldap.virtual', 389, 'Line service as a directory'),
    line('smtp.virtual', 25, 'Line service as a mail server'),
  ];
}

/** The connector with location ID `loc2` exposes only the ERP, without principal propagation. */
export function secondLocationMappings(addresses: OnPremiseAddresses): SystemMapping[] {
  return [erpMapping(addresses, 'NONE')];
}

function erpMapping(addresses: OnPremiseAddresses, authenticationMode: 'X509_GENERAL' | 'NONE'): SystemMapping {
  return {
    virtualHost: 'erp.virtual',
    virtualPort: 8000,
    localHost: '127.0.0.1',
    localPort: addresses.erpPort,
    protocol: 'HTTP',
    hostInHeader: 'virtual',
    authenticationMode,
    description: 'Sample ERP (OData business partners, whoami, redirect, echo, WebSocket)',
    resources: [
      { id: '/sap/opu/odata/', enabled: true, exactMatchOnly: false, description: 'OData services' },
      { id: '/whoami', enabled: true, exactMatchOnly: false },
      { id: '/redirect', enabled: true, exactMatchOnly: true },
      { id: '/echo', enabled: true, exactMatchOnly: false },
      { id: '/ws', enabled: true, exactMatchOnly: true, websocketUpgradeAllowed: true },
    ],
  };
}
