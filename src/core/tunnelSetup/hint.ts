import type { ConnectivityBinding } from '../bindings/types';
import type { Platform } from './setUpTunnel';

/**
 * Where a connectivity key's proxy runs, from its host: Cloud Foundry keys name
 * `connectivityproxy.internal.cf.<region>.hana.ondemand.com`, cluster ones `<service>.<namespace>.svc[.cluster.local]`.
 */
export function platformOf(binding: ConnectivityBinding | undefined): Platform | undefined {
  const host = binding?.proxyHost.toLowerCase() ?? '';
  if (/\.svc(\.cluster\.local)?$/.test(host)) return 'kyma';
  if (/(^|\.)cf\.|connectivityproxy\.internal/.test(host)) return 'cf';
  return undefined;
}

/** The one command that sets up the tunnel a failed forward or check needed. */
export function tunnelSetupCommand(connection: string | undefined, binding: ConnectivityBinding | undefined, invocation = 'btp-connect'): string {
  if (!connection) return `${invocation} connect <name> … (tunnels belong to saved connections), then ${invocation} tunnel setup --connection <name>`;
  const platform = platformOf(binding);
  return `${invocation} tunnel setup --connection ${connection}${platform ? ` --${platform}` : ''}`;
}
