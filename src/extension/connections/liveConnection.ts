import type { ConnectivityBinding } from '../../core/bindings/types';
import type { ConnectionBindings } from '../../core/connections/connectionStore';
import type { SubscriberTenant } from '../../core/connections/subscriberTenant';
import { ConnectivityAccess } from '../../core/connectivity/connectivityAccess';
import { connectivityTunnelOptions, tunnelEndpoints } from '../../core/connectivity/tunnelEndpoints';
import type { LocalProxyEndpoints } from '../../core/localEnv/connectivityVcap';
import { DestinationServiceClient } from '../../core/destinationService/client';
import type { DestinationSource } from '../../core/destinationService/source';
import { Emitter } from '../../core/events';
import { ForwardManager, type ForwardInfo, type ForwardSpec } from '../../core/forward/forwardManager';
import { readRecentPaths, recentPathsScopeOf, type RecentPathsRecorder } from '../../core/forward/recentPaths';
import type { HttpAgents } from '../../core/http/agents';
import type { OriginAllowList } from '../../core/forward/allowedOrigins';
import type { OutboundNetwork } from '../../core/http/outbound';
import type { Logger } from '../../core/log';
import { userForwarding } from '../../core/session/userForwarding';
import { UserSession } from '../../core/oauth/userSession';
import type { SecretStore } from '../../core/secrets/secretStore';
import { TunnelSupervisor } from '../../core/tunnel/supervisor';
import { checkDestination } from '../../core/diagnosis/checkDestination';
import type { CheckOptions, CheckResult } from '../../core/diagnosis/types';
import { BtpError, ErrorCode } from '../../core/errors';
import type { TunnelMode, TunnelState } from '../../core/tunnel/types';

/** `local`: the destinations imported on this machine (no Destination service, no connectivity proxy). */
export type ConnectionKind = 'saved' | 'sandbox' | 'local';

/**
 * One connection in use: its Destination service client, its forwards, and (for OnPremise destinations) the
 * connectivity proxy, reached directly or through a tunnel that starts with the first forward.
 */
export interface LiveConnectionOptions {
  readonly agents: HttpAgents;
  readonly tunnelMode: TunnelMode;
  readonly logger: Logger;
  /** Required of every request to its HTTP forwards (shared machines). */
  readonly localToken?: string;
  /** Where a signed-in user's tokens live (the connection's secret store); none: no user sign-in. */
  readonly userSecrets?: SecretStore;
  /** Dev-server origins its HTTP forwards accept (one list for the window, changing with the settings). */
  readonly allowedOrigins?: OriginAllowList;
  /** The window's current network (VS Code's proxy settings) for the forwards' Internet upstreams; `agents`' by default. */
  readonly network?: () => OutboundNetwork;
  /** Remembers paths that worked through the forwards (shared with the CLI), for Check Connection's warning. */
  readonly recentPaths?: RecentPathsRecorder;
  /** The subscriber tenant the connection acts for (destinations, sign-in, proxy token); none: the provider. */
  readonly tenant?: SubscriberTenant;
}

export class LiveConnection {
  readonly forwards: ForwardManager;
  /** The user signed in to this connection (browser sign-in), for subaccount and sandbox connections. */
  readonly user: UserSession | undefined;
  private readonly connectivity: ConnectivityAccess | undefined;
  private readonly tunnel: TunnelSupervisor | undefined;
  private readonly tunnelStates = new Emitter<TunnelState>();
  private readonly agents: HttpAgents;
  /** Where this connection's forwards note the paths that worked, and under which key. */
  private readonly recent: { readonly recorder: RecentPathsRecorder; readonly scope: string } | undefined;
  /** How this connection reaches the connectivity proxy (`direct` without a tunnel). */
  readonly tunnelMode: TunnelMode;
  /** The tunnel's state changed (starting, ready, reconnecting, failed, stopped). */
  readonly onDidChangeTunnelState = this.tunnelStates.event;
  private readonly logger: Logger;

  /** A connection to a subaccount (or the sandbox) through its service bindings. */
  static fromBindings(name: string, kind: ConnectionKind, bindings: ConnectionBindings, options: LiveConnectionOptions): LiveConnection {
    const tenant = options.tenant ? { tenant: options.tenant } : {};
    const client = new DestinationServiceClient({
      binding: bindings.destination,
      agents: options.agents,
      logger: options.logger.child('destinations'),
      ...tenant,
    });
    // The user signs in with the connection's xsuaa key; without one, Sign In offers to choose it (`setLogin`).
    const user = options.userSecrets
      ? new UserSession({
          connection: name,
          ...(bindings.login ? { binding: bindings.login } : {}),
          ...tenant,
          agents: options.agents,
          secrets: options.userSecrets,
          logger: options.logger.child('user'),
        })
      : undefined;
    return new LiveConnection(name, kind, client, bindings.connectivity, options, user);
  }

  constructor(
    readonly name: string,
    readonly kind: ConnectionKind,
    /** Where its destinations live: the Destination service, or the local store. */
    readonly client: DestinationSource,
    /** The connectivity binding for OnPremise destinations, if the connection has one. */
    readonly connectivityBinding: ConnectivityBinding | undefined,
    { agents, tunnelMode, logger, localToken, allowedOrigins, network, recentPaths, tenant }: LiveConnectionOptions,
    user?: UserSession,
  ) {
    this.user = user;
    this.agents = agents;
    this.tunnelMode = tunnelMode;
    this.logger = logger;
    const forUser = user ? userForwarding(user) : undefined;
    if (connectivityBinding && tunnelMode.kind !== 'direct') {
      this.tunnel = new TunnelSupervisor(connectivityTunnelOptions(connectivityBinding, tunnelMode, { logger: logger.child('tunnel') }));
      this.tunnel.onDidChangeState((state) => this.tunnelStates.fire(state));
    }
    this.connectivity = connectivityBinding
      ? new ConnectivityAccess(connectivityBinding, agents, this.tunnel ? tunnelEndpoints(this.tunnel) : undefined, {
          ...forUser?.connectivity,
          ...(tenant ? { tenant } : {}),
        })
      : undefined;
    const tunnel = this.tunnel;
    const scope = this.client instanceof DestinationServiceClient ? recentPathsScopeOf(this.client.tokens.binding) : undefined;
    if (recentPaths && scope) this.recent = { recorder: recentPaths, scope };
    const health = tunnel
      ? {
          get state(): string {
            return tunnel.state;
          },
          onDidChangeState: this.tunnelStates.event,
        }
      : undefined;
    this.forwards = new ForwardManager({
      client: this.client,
      ...(this.connectivity ? { connectivity: this.connectivity } : {}),
      ...(health ? { tunnel: health } : {}),
      logger: logger.child('forward'),
      ...(localToken === undefined ? {} : { localToken }),
      ...(allowedOrigins ? { allowedOrigins } : {}),
      // The current network: VS Code's proxy settings may change, and the next forward takes the new ones.
      network: network ?? (() => agents.network),
      ...(forUser ? { findOptions: forUser.findOptions } : {}),
      ...(recentPaths && scope ? { recentPaths: { note: (destination: string, path: string) => recentPaths.note(scope, destination, path) } } : {}),
    });
  }

  get hasConnectivity(): boolean {
    return this.connectivity !== undefined;
  }

  get tunnelState(): TunnelState | undefined {
    return this.tunnel?.state;
  }

  /**
   * Where a local app reaches the connectivity proxy: the tunnel's local ports (started if needed) or, without
   * a tunnel, the proxy itself. Undefined when the connection has no connectivity binding.
   */
  async localProxy(): Promise<LocalProxyEndpoints | undefined> {
    const binding = this.connectivityBinding;
    if (!binding) return undefined;
    if (!this.tunnel)
      return { host: binding.proxyHost, httpPort: binding.httpPort, ...(binding.socks5Port === undefined ? {} : { socks5Port: binding.socks5Port }) };
    if (this.tunnel.state === 'idle') await this.tunnel.start();
    const [http, socks5] = this.tunnel.endpoints;
    if (!http) return undefined;
    return { host: http.host, httpPort: http.port, ...(socks5 ? { socks5Port: socks5.port } : {}) };
  }

  /** Starts a forward; the first one also starts the tunnel to the connectivity proxy, if the connection has one. */
  async startForward(spec: ForwardSpec): Promise<ForwardInfo> {
    if (this.tunnel?.state === 'idle') await this.tunnel.start();
    return this.forwards.start(spec);
  }

  /** The Destination service this connection uses, if it is one (not the destinations of this machine). */
  get destinationServiceUrl(): string | undefined {
    return this.client instanceof DestinationServiceClient && this.client.tokens.binding.kind === 'destination' ? this.client.tokens.binding.uri : undefined;
  }

  /**
   * Walks every hop to a destination (`checkDestination`): through this connection's running tunnel when there is
   * one, else its tunnel mode; as its signed-in user when there is one.
   */
  async check(destination: string, path?: string, accessControl?: CheckOptions['accessControl'], fragment?: string): Promise<CheckResult> {
    if (!(this.client instanceof DestinationServiceClient)) {
      throw new BtpError(
        ErrorCode.Unsupported,
        `"${destination}" is a destination of this machine: there is no Destination service or Cloud Connector on its way to check.`,
        { field: 'connection' },
      );
    }
    const userToken = await this.user?.userToken().catch(() => undefined);
    const tunnel = this.tunnel;
    // This window's forwards may have noted paths moments ago: write them first, then read every process's.
    await this.recent?.recorder.flush();
    const recentPaths = this.recent ? (await readRecentPaths(this.recent.recorder.directory, this.recent.scope, destination)).map((entry) => entry.path) : [];
    return checkDestination(destination, {
      client: this.client,
      agents: this.agents,
      ...(this.connectivityBinding ? { connectivity: this.connectivityBinding } : {}),
      ...(tunnel && tunnel.state === 'ready' ? { proxyEndpoints: tunnelEndpoints(tunnel) } : { tunnel: this.tunnelMode }),
      ...(path ? { path } : {}),
      ...(accessControl ? { accessControl } : {}),
      ...(recentPaths.length > 0 ? { recentPaths } : {}),
      ...(userToken ? { userToken } : {}),
      ...(userToken || fragment ? { findOptions: { ...(userToken ? { userToken } : {}), ...(fragment ? { fragmentName: fragment } : {}) } } : {}),
      ...(this.user ? { userInputs: userForwarding(this.user).findOptions } : {}),
      logger: this.logger.child('check'),
    });
  }

  async dispose(): Promise<void> {
    await this.forwards.dispose();
    await this.connectivity?.close();
    await this.tunnel?.stop();
    this.tunnelStates.dispose();
    this.user?.dispose();
  }
}
