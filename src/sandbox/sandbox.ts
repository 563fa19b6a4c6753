import { join } from 'node:path';
import { HttpAgents } from '../core/http/agents';
import { localhostLookup } from '../core/http/localhostLookup';
import { silentLogger, type Logger } from '../core/log';
import { requestToken } from '../core/oauth/tokenRequest';
import { createEchoApi } from './backends/echoApi';
import { CloudConnectorConfigWatcher } from './cloudConnector/configWatcher';
import type { CloudConnectorFile } from './cloudConnector/configFile';
import type { CloudConnector } from './cloudConnector/connector';
import { defaultCloudConnectorFile } from './cloudConnector/sandboxMappings';
import type { ConnectivityProxy } from './connectivity';
import { startConnectivityStack, type ConnectivityStack } from './stack';
import { createDestinationService } from './destination/service';
import { DestinationStore } from './destination/store';
import { startServer, type Handler, type StartedServer } from './http/server';
import { loadOrCreateIdentity, type SandboxIdentity } from './base/identity';
import type { OnPremiseSystems } from './onPremise';
import { issueClientCertificate, issueServerCertificate } from './pki';
import { mailboxDirectory, type Mailbox } from './mail/mailbox';
import { seedStore } from './seed';
import { serviceKeys, vcapServices, type SandboxEndpoints, type SandboxServiceKeys } from './serviceKeys';
import { createTokenService, type TokenService } from './token/service';

export interface SandboxOptions {
  /** State directory (identity, destinations). Without one the sandbox lives in memory: what tests use. */
  readonly directory?: string;
  /** First port of the sandbox's block (see `PortOffset`); 0 puts every listener on an ephemeral port. */
  readonly portBase?: number;
  readonly logger?: Logger;
  readonly tokenLifetimeSeconds?: number;
  /** OpenLDAP's slapd for the on-premise LDAP directory (default /usr/sbin/slapd); without it the sandbox has none. */
  readonly slapdPath?: string;
}

/** Port layout relative to `portBase`; later parts of the sandbox take the gaps. */
export const PortOffset = {
  tokenHttp: 0,
  tokenHttps: 1,
  tokenMtls: 2,
  destination: 3,
  connectivityHttp: 4,
  connectivitySocks5: 5,
  /** Where Cloud Connectors dial in (not in any service key: only connectors use it). */
  connectorTunnel: 6,
  internetApi: 8,
  /** The Internet API's mTLS variant, behind the client-certificate destinations. */
  mtlsApi: 9,
} as const;

export interface Sandbox {
  readonly endpoints: SandboxEndpoints & {
    readonly tokenServiceHttpsUrl: string;
    readonly internetApiUrl: string;
    readonly mtlsApiUrl: string;
    readonly connectorTunnelUrl: string;
  };
  readonly keys: SandboxServiceKeys;
  readonly vcapServices: Record<string, unknown[]>;
  readonly caPem: string;
  readonly identity: SandboxIdentity;
  readonly tokenService: TokenService;
  readonly store: DestinationStore;
  /** The connectivity proxy: its ports and the registry of connected Cloud Connectors (with events). */
  readonly connectivity: ConnectivityProxy;
  /**
   * The provider subaccount's Cloud Connectors, in the order of `cloud-connector.json` (built-in: location ID ""
   * first, then "loc2"); follows the file's changes.
   */
  readonly connectors: readonly CloudConnector[];
  /** The access control in force: `cloud-connector.json`'s last good content, or the built-in one. */
  readonly cloudConnectorConfig: CloudConnectorFile;
  /** The sample on-premise systems; reach them through the proxy, their ports are internal. */
  readonly onPremise: OnPremiseSystems;
  /** What the on-premise mail server (smtp.virtual:25) accepted: `<folder>/mailbox/*.eml`, or memory without a folder. */
  readonly mailbox: Mailbox;
  close(): Promise<void>;
}

/**
 * Starts the emulated BTP side on loopback: token service (HTTP, HTTPS, mTLS), Destination service, sample API,
 * connectivity proxy (HTTP, SOCKS5, connector tunnel), Cloud Connectors and the on-premise systems behind them.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const logger = options.logger ?? silentLogger;
  const identity = await loadOrCreateIdentity(options.directory);
  const port = (offset: number) => (options.portBase ? options.portBase + offset : 0);
  const servers: StartedServer[] = [];
  let connectivity: ConnectivityStack | undefined;
  const configWatcher = options.directory
    ? new CloudConnectorConfigWatcher(
        options.directory,
        (file) => (connectivity as ConnectivityStack).applyConfig(file),
        defaultCloudConnectorFile(),
        logger.child('cloud-connector'),
      )
    : undefined;
  const agents = new HttpAgents({ extraCaPem: identity.ca.certPem, lookup: localhostLookup, timeoutMs: 10_000 });
  try {
    const tlsHosts = ['localhost', ...identity.world.data.tenants.map((tenant) => `${tenant.subdomain}.localhost`)];
    const serverCertificate = issueServerCertificate(identity.ca, { commonName: 'localhost', dnsNames: tlsHosts, ipAddresses: ['127.0.0.1', '::1'] });
    const tls = { cert: serverCertificate.certPem, key: serverCertificate.keyPem };

    // The HTTPS port is part of `uaadomain` and so of every token's `iss`: bind it first, then build the service.
    const tokenLogger = logger.child('token');
    const https: { handler?: Handler } = {};
    const tokenHttps = await startServer((req, res) => (https.handler as Handler)(req, res), { port: port(PortOffset.tokenHttps), logger: tokenLogger, tls });
    servers.push(tokenHttps);
    const uaaDomain = `localhost:${tokenHttps.port}`;
    const tokenService = createTokenService({
      world: identity.world,
      key: identity.signingKey,
      uaaDomain,
      lifetimeSeconds: options.tokenLifetimeSeconds,
      logger: tokenLogger,
    });
    https.handler = tokenService.handler('https');
    const tokenHttp = await startServer(tokenService.handler('http'), { port: port(PortOffset.tokenHttp), logger: tokenLogger });
    servers.push(tokenHttp);
    const mtls = { ...tls, requestCert: true, rejectUnauthorized: false, ca: identity.ca.certPem };
    const tokenMtls = await startServer(tokenService.handler('mtls'), { port: port(PortOffset.tokenMtls), logger: tokenLogger, tls: mtls });
    servers.push(tokenMtls);

    const store = await DestinationStore.open(options.directory ? join(options.directory, 'destinations.json') : undefined);
    const destination = await startServer(
      createDestinationService({
        world: identity.world,
        key: identity.signingKey,
        store,
        fetchToken: (client, grant) => requestToken(client, grant, { agents }),
        logger: logger.child('destination'),
      }),
      { port: port(PortOffset.destination), logger: logger.child('destination') },
    );
    servers.push(destination);
    const internetApi = await startServer(createEchoApi(), { port: port(PortOffset.internetApi), logger: logger.child('internet-api') });
    servers.push(internetApi);
    // Asks for a client certificate but lets the handler refuse (401 naming why) rather than the handshake.
    const mtlsApi = await startServer(createEchoApi({ clientCertificates: true }), {
      port: port(PortOffset.mtlsApi),
      logger: logger.child('mtls-api'),
      tls: mtls,
    });
    servers.push(mtlsApi);
    const config = (await configWatcher?.load()) ?? defaultCloudConnectorFile();
    const stack = await startConnectivityStack({
      identity,
      config,
      ports: { http: port(PortOffset.connectivityHttp), socks5: port(PortOffset.connectivitySocks5), tunnel: port(PortOffset.connectorTunnel) },
      logger,
      ldap: { ...(options.slapdPath ? { slapdPath: options.slapdPath } : {}), ...(options.directory ? { sandboxFolder: options.directory } : {}) },
      ...(options.directory ? { mailboxDirectory: mailboxDirectory(options.directory) } : {}),
    });
    connectivity = stack;
    configWatcher?.watch();
    const proxy = stack.proxy;

    const origins = {
      tokenService: `http://localhost:${tokenHttp.port}`,
      internetApi: `http://localhost:${internetApi.port}`,
      mtlsApi: `https://localhost:${mtlsApi.port}`,
    };
    if (store.isEmpty) {
      const backendCertificate = issueClientCertificate(identity.ca, { commonName: 'sandbox-backend-client' });
      await seedStore(store, identity.world, { ...origins, caPem: identity.ca.certPem, backendClientCertificate: backendCertificate });
    } else {
      for (const [name, previous] of Object.entries(identity.origins)) {
        const current = origins[name as keyof typeof origins];
        if (current && previous !== current) await store.replaceInValues(previous, current);
      }
    }
    await identity.saveOrigins(origins);

    const endpoints = {
      tokenServiceUrl: `http://127.0.0.1:${tokenHttp.port}`,
      tokenServiceHttpsUrl: `https://${uaaDomain}`,
      uaaDomain,
      certUrl: `https://localhost:${tokenMtls.port}`,
      destinationServiceUrl: `http://127.0.0.1:${destination.port}`,
      internetApiUrl: `http://127.0.0.1:${internetApi.port}`,
      mtlsApiUrl: origins.mtlsApi,
      connectivity: { host: '127.0.0.1', httpPort: proxy.httpPort, socks5Port: proxy.socks5Port },
      connectorTunnelUrl: proxy.tunnelUrl,
    };
    await configWatcher?.announce(endpoints.destinationServiceUrl);
    const keys = serviceKeys(identity, endpoints);
    logger.info(
      `sandbox up: token ${endpoints.tokenServiceUrl}, destination ${endpoints.destinationServiceUrl}, connectivity proxy http ${proxy.httpPort} socks5 ${proxy.socks5Port}`,
    );
    return {
      endpoints,
      keys,
      vcapServices: vcapServices(keys, identity),
      caPem: identity.ca.certPem,
      identity,
      tokenService,
      store,
      connectivity: stack.proxy,
      get connectors() {
        return stack.connectors;
      },
      get cloudConnectorConfig() {
        return configWatcher?.config ?? config;
      },
      onPremise: stack.onPremise,
      mailbox: stack.onPremise.mail.mailbox,
      async close() {
        await configWatcher?.close();
        await stack.close();
        await Promise.all(servers.map((server) => server.close()));
        await agents.close();
      },
    };
  } catch (error) {
    await configWatcher?.close();
    await connectivity?.close();
    await Promise.all(servers.map((server) => server.close()));
    await agents.close();
    throw error;
  }
}
