import type { DestinationRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';

/**
 * Destinations a forward cannot carry from a laptop, with what to do instead: PrivateLink endpoints exist only
 * inside BTP, and RFC is a protocol of its own (SAP JCo in the cloud, node-rfc or JCo locally). Checked before
 * any port is bound or request sent.
 */
export function assertForwardable(name: string, destination: DestinationRecord): void {
  if ((destination.Type ?? 'HTTP') === 'RFC') {
    const settings = rfcSettingsText(name, destination);
    throw new BtpError(
      ErrorCode.RfcDestination,
      `"${name}" is an RFC destination: RFC is neither HTTP nor a plain TCP stream, so no forward can carry it; in the cloud SAP JCo speaks it${onPremise(destination) ? ' through the Cloud Connector' : ''}. From this machine, call the ABAP system with node-rfc (or SAP JCo) directly${onPremise(destination) ? ', over a VPN to its internal host' : ''}; the settings are below (btp-connect prints them, VS Code copies them).`,
      { field: 'Type', details: { copyText: settings } },
    );
  }
  if ((destination.ProxyType ?? destination['jco.destination.proxy_type'] ?? destination['ldap.proxyType']) === 'PrivateLink') {
    throw new BtpError(
      ErrorCode.PrivateLinkOnly,
      `"${name}" is a PrivateLink destination: its URL is a private endpoint of SAP Private Link service, reachable only from applications running in BTP (Cloud Foundry or Kyma) in the same region, never from a laptop. Use the service's public endpoint in a destination of its own (ProxyType Internet) for local work, or run the app in BTP.`,
      { field: 'ProxyType' },
    );
  }
}

function onPremise(destination: DestinationRecord): boolean {
  return (destination['jco.destination.proxy_type'] ?? destination.ProxyType) === 'OnPremise';
}

/** JCo `jco.client.*` → node-rfc (SAP NW RFC SDK) connection parameters; the password is never among them. */
const nodeRfcNames: readonly (readonly [string, string])[] = [
  ['jco.client.ashost', 'ashost'],
  ['jco.client.sysnr', 'sysnr'],
  ['jco.client.mshost', 'mshost'],
  ['jco.client.msserv', 'msserv'],
  ['jco.client.r3name', 'sysid'],
  ['jco.client.group', 'group'],
  ['jco.client.wshost', 'wshost'],
  ['jco.client.wsport', 'wsport'],
  ['jco.client.client', 'client'],
  ['jco.client.user', 'user'],
  ['jco.client.alias_user', 'alias_user'],
  ['jco.client.lang', 'lang'],
  ['jco.client.tls_trust_all', 'tls_trust_all'],
];

/** Secret values in the JCo block are replaced by this: the text is meant to be copied and shared. */
const hidden = '<not shown: take it from the destination>';

/**
 * The connection settings a local app needs, as text to copy: a node-rfc `Client` and the same as JCo
 * properties. No password: node-rfc reads it from an environment variable, JCo gets a placeholder.
 */
export function rfcSettingsText(name: string, destination: DestinationRecord): string {
  const virtualHost = onPremise(destination);
  const entries = nodeRfcNames
    .filter(([jco]) => destination[jco] !== undefined && destination[jco] !== '')
    .map(([jco, rfc]) => [rfc, destination[jco] ?? ''] as const);
  // Lookups without credentials ($skipCredentials) drop the password itself; a user still needs one.
  const hasPassword = destination['jco.client.passwd'] !== undefined || destination['jco.client.user'] !== undefined;
  const jco: DestinationRecord = { ...destination, ...(hasPassword ? { 'jco.client.passwd': hidden } : {}) };
  const lines = [
    `// node-rfc (npm install node-rfc; needs the SAP NW RFC SDK) for destination "${name}"`,
    ...(virtualHost ? ['// The hosts below are Cloud Connector virtual hosts: use the internal hosts they map to.'] : []),
    "const { Client } = require('node-rfc');",
    'const client = new Client({',
    ...entries.map(([key, value]) => `  ${key}: ${JSON.stringify(value)},`),
    ...(hasPassword ? ["  passwd: process.env.RFC_PASSWORD, // the destination's jco.client.passwd (not shown here)"] : []),
    '});',
    '',
    `# SAP JCo (${name}.jcoDestination)`,
    ...Object.entries(jco)
      .filter(([key]) => key.startsWith('jco.client.') && key !== 'jco.client.cloud_connector_location_id')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}=${isSecret(key) ? hidden : value}`),
  ];
  return `${lines.join('\n')}\n`;
}

function isSecret(key: string): boolean {
  return /passwd|password|secret|mysapsso2/i.test(key);
}
