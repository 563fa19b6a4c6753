import type { CloudConnectorFile, MappingEntry } from './configFile';

/**
 * The built-in access control, what `cloud-connector.json` holds on a first start: for the provider subaccount's
 * connector without a location ID, matching the seeded OnPremise destinations (`onprem-erp-*` → erp.virtual:8000,
 * `onprem-tcp-db`, `onprem-ldap`, `onprem-mail`); the one with location ID `loc2` exposes only the ERP, without
 * principal propagation.
 */
export function defaultCloudConnectorFile(): CloudConnectorFile {
  return {
    connectors: [
      { locationId: '', mappings: defaultEntries() },
      { locationId: 'loc2', mappings: [erpEntry('NONE')] },
    ],
  };
}

function defaultEntries(): MappingEntry[] {
  const line = (virtualHost: string, virtualPort: number, description: string, propagate = false): MappingEntry => ({
    virtualHost,
    virtualPort,
    localHost: 'builtin:line',
    protocol: 'TCP',
    authenticationMode: propagate ? 'X509_GENERAL' : 'NONE',
    description,
  });
  return [
    erpEntry('X509_GENERAL'),
    line('db.virtual', 5432, 'Line service as a database; propagates the user in a PROXY v2 header', true),
    // TCP, not LDAP: LDAP clients come through SOCKS5, which needs a TCP mapping (an LDAP mapping would serve the
    // proxy's own LDAP port, which the sandbox does not run).
    {
      virtualHost: 'ldap.virtual',
      virtualPort: 389,
      localHost: 'builtin:ldap',
      protocol: 'TCP',
      authenticationMode: 'NONE',
      description: 'OpenLDAP directory (slapd), dc=example,dc=com',
    },
    {
      virtualHost: 'smtp.virtual',
      virtualPort: 25,
      localHost: 'builtin:mail',
      protocol: 'TCP',
      authenticationMode: 'NONE',
      description: 'Mail server (SMTP with AUTH; mail lands in the sandbox mailbox)',
    },
  ];
}

/** What earlier versions wrote for the directory and the mail server: the line service, which speaks neither. */
const retiredSamples: ReadonlyArray<{ readonly virtualHost: string; readonly virtualPort: number; readonly description: string }> = [
  { virtualHost: 'ldap.virtual', virtualPort: 389, description: 'Line service as a directory' },
  { virtualHost: 'smtp.virtual', virtualPort: 25, description: 'Line service as a mail server' },
];

/**
 * A `cloud-connector.json` written by an earlier version maps ldap.virtual:389 and smtp.virtual:25 to the line
 * service, so `onprem-ldap` and `onprem-mail` would never reach the directory and mail server. Such an entry, exactly
 * as it was written (a mapping the user changed stays theirs), becomes today's default; the names of the upgraded
 * mappings are returned.
 */
export function upgradeRetiredSamples(file: CloudConnectorFile): { readonly file: CloudConnectorFile; readonly upgraded: readonly string[] } {
  const upgraded: string[] = [];
  const current = defaultEntries();
  const connectors = file.connectors.map((connector) => ({
    ...connector,
    mappings: connector.mappings.map((mapping) => {
      const retired = retiredSamples.find(
        (sample) => sample.virtualHost === mapping.virtualHost && sample.virtualPort === mapping.virtualPort && sample.description === mapping.description,
      );
      const replacement = current.find((entry) => entry.virtualHost === mapping.virtualHost && entry.virtualPort === mapping.virtualPort);
      if (!retired || !replacement || mapping.localHost !== 'builtin:line' || mapping.resources !== undefined) return mapping;
      upgraded.push(`${mapping.virtualHost}:${mapping.virtualPort}`);
      return replacement;
    }),
  }));
  return { file: upgraded.length > 0 ? { ...file, connectors } : file, upgraded };
}

function erpEntry(authenticationMode: 'X509_GENERAL' | 'NONE'): MappingEntry {
  return {
    virtualHost: 'erp.virtual',
    virtualPort: 8000,
    localHost: 'builtin:erp',
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
