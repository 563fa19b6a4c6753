import type { ConnectivityBinding } from '../bindings/types';
/** Where the connectivity proxy runs: Cloud Foundry or a Kyma / Kubernetes cluster. */
export type Platform = 'cf' | 'kyma';

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

/** The one command that sets up the tunnel a failed forward or check needed (its platform follows from the key). */
export function tunnelSetupCommand(connection: string | undefined, invocation = 'btp-connect'): string {
  if (!connection) return `${invocation} connect <name> … (tunnels belong to saved connections), then ${invocation} tunnel setup --connection <name>`;
  return `${invocation} tunnel setup --connection ${connection}`;
}
