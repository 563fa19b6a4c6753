import type { Logger } from '../core/log';
import { CloudConnector } from './cloudConnector/connector';
import { resolveMappings, type CloudConnectorFile } from './cloudConnector/configFile';
import { defaultCloudConnectorFile } from './cloudConnector/sandboxMappings';
import type { SandboxIdentity } from './base/identity';
import { startOnPremiseSystems, type OnPremiseSystems } from './onPremise';
import { startConnectivityProxy, type ConnectivityProxy } from './connectivity';

/** The on-premise half of the sandbox: sample systems, the connectivity proxy, and Cloud Connectors between them. */
export interface ConnectivityStack {
  readonly proxy: ConnectivityProxy;
  /** The provider subaccount's connectors: location ID "" first, then "loc2". */
  readonly connectors: readonly CloudConnector[];
  readonly onPremise: OnPremiseSystems;
  /**
   * Applies an access-control configuration: a connector's mappings change in place (streams already relayed stay),
   * connectors of new location IDs start and connect, those no longer listed disconnect.
   */
  applyConfig(file: CloudConnectorFile): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectivityStackOptions {
  readonly identity: SandboxIdentity;
  readonly ports: { readonly http: number; readonly socks5: number; readonly tunnel: number };
  readonly logger: Logger;
  /** The connectors and their access control (default: the built-in one, `defaultCloudConnectorFile`). */
  readonly config?: CloudConnectorFile;
  /** The on-premise LDAP directory's slapd and the sandbox folder it runs in. */
  readonly ldap?: { readonly slapdPath?: string; readonly sandboxFolder?: string };
  /** Where the mail server stores what it accepts (default: memory). */
  readonly mailboxDirectory?: string;
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
    const onPremise = await startOnPremiseSystems({
      logger: logger.child('on-premise'),
      trustedCaPem: identity.ca.certPem,
      ...(options.ldap ? { ldap: options.ldap } : {}),
      ...(options.mailboxDirectory ? { mailboxDirectory: options.mailboxDirectory } : {}),
    });
    parts.push(onPremise);
    const proxy = await startConnectivityProxy({
      world: identity.world,
      key: identity.signingKey,
      connectorSecret: identity.connectorSecret,
      ports: options.ports,
      logger: logger.child('connectivity'),
    });
    parts.push(proxy);
    const ports = { erp: onPremise.erp.port, line: onPremise.lineService.port, ldap: onPremise.directory.port, mail: onPremise.mail.port };
    const connector = (locationId: string, mappings: ReturnType<typeof resolveMappings>) =>
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
    let connectors: CloudConnector[] = [];
    const applyConfig = async (file: CloudConnectorFile) => {
      const next: CloudConnector[] = [];
      const started: CloudConnector[] = [];
      for (const entry of file.connectors) {
        const mappings = resolveMappings(entry.mappings, ports);
        const existing = connectors.find((item) => item.locationId === entry.locationId);
        if (existing) existing.setMappings(mappings);
        else started.push(connector(entry.locationId, mappings));
        next.push(existing ?? (started.at(-1) as CloudConnector));
      }
      const gone = connectors.filter((item) => !next.includes(item));
      connectors = next;
      await Promise.all([...started.map((item) => item.connect()), ...gone.map((item) => item.close())]);
    };
    parts.push({ close: () => Promise.all(connectors.map((item) => item.close())).then(() => undefined) });
    await applyConfig(options.config ?? defaultCloudConnectorFile());
    return {
      proxy,
      get connectors() {
        return connectors;
      },
      onPremise,
      applyConfig,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
