import type { Logger } from '../../core/log';
import { CloudConnector } from '../cloudConnector/connector';
import { defaultLocationMappings, secondLocationMappings } from '../cloudConnector/sandboxMappings';
import type { SandboxIdentity } from '../identity';
import { startOnPremiseSystems, type OnPremiseSystems } from '../onPremise';
import { startConnectivityProxy, type ConnectivityProxy } from './index';

/** The on-premise half of the sandbox: sample systems, the connectivity proxy, and Cloud Connectors between them. */
export interface ConnectivityStack {
  readonly proxy: ConnectivityProxy;
  /** The provider subaccount's connectors: location ID "" first, then "loc2". */
  readonly connectors: readonly CloudConnector[];
  readonly onPremise: OnPremiseSystems;
  close(): Promise<void>;
}

export interface ConnectivityStackOptions {
  readonly identity: SandboxIdentity;
  readonly ports: { readonly http: number; readonly socks5: number; readonly tunnel: number };
  readonly logger: Logger;
}

/**
 * Starts the on-premise systems, the proxy, and two connectors for the provider subaccount (no location ID, and
 * `loc2`); resolves once both are registered. The subscriber subaccount has no connector on purpose: it shows
 * the 503 / SOCKS5 0x03 answers.
 */
export async function startConnectivityStack(options: ConnectivityStackOptions): Promise<ConnectivityStack> {
  const { identity, logger } = options;
  const parts: { close(): Promise<void> }[] = [];
  // Connectors go first so that they do not start reconnecting to a proxy that is shutting down.
  const close = async () => {
    for (const part of parts.reverse()) await part.close();
  };
  try {
    const onPremise = await startOnPremiseSystems({ logger: logger.child('on-premise'), trustedCaPem: identity.ca.certPem });
    parts.push(onPremise);
    const proxy = await startConnectivityProxy({
      world: identity.world,
      key: identity.signingKey,
      connectorSecret: identity.connectorSecret,
      ports: options.ports,
      logger: logger.child('connectivity'),
    });
    parts.push(proxy);
    const addresses = { erpPort: onPremise.erp.port, linePort: onPremise.lineService.port };
    const connector = (locationId: string, mappings: ReturnType<typeof defaultLocationMappings>) =>
      new CloudConnector({
        tunnelUrl: proxy.tunnelUrl,
        secret: identity.connectorSecret,
        subaccountId: identity.world.provider.id,
        locationId,
        mappings,
        certificateAuthority: identity.ca,
        trustedCaPem: identity.ca.certPem,
        network: onPremise.network,
        backoff: { initialMs: 100, maxMs: 5_000 },
        logger: logger.child(locationId ? `connector:${locationId}` : 'connector'),
      });
    const connectors = [connector('', defaultLocationMappings(addresses)), connector('loc2', secondLocationMappings(addresses))];
    parts.push(...connectors);
    await Promise.all(connectors.map((item) => item.connect()));
    return { proxy, connectors, onPremise, close };
  } catch (error) {
    await close();
    throw error;
  }
}
