import type { ConnectivityBinding } from '../bindings/types';
import type { ConnectionBindings } from '../connections/connectionStore';
import type { SubscriberTenant } from '../connections/subscriberTenant';
import { tenantHeaderSubdomain, withTenantHeader } from '../destinationService/tenantHeader';
import type { DestinationRecord, FindOptions } from '../destinationService/types';
import { ConnectivityAccess } from '../connectivity/connectivityAccess';
import { connectivityTunnelOptions, tunnelEndpoints } from '../connectivity/tunnelEndpoints';
import { DestinationServiceClient } from '../destinationService/client';
import type { DestinationSource } from '../destinationService/source';
import { checkDestination } from '../diagnosis/checkDestination';
import type { CheckOptions, CheckResult } from '../diagnosis/types';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { Emitter } from '../events';
import type { OriginAllowList } from '../forward/allowedOrigins';
import { ForwardManager, type ForwardInfo, type ForwardManagerOptions, type ForwardSpec } from '../forward/forwardManager';
import { readRecentPaths, recentPathsScopeOf, type RecentPathsRecorder } from '../forward/recentPaths';
import type { HttpAgents } from '../http/agents';
import type { OutboundNetwork } from '../http/outbound';
import { DisposableStore } from '../lifecycle/disposableStore';
import type { LocalProxyEndpoints } from '../localEnv/connectivityVcap';
import type { Logger } from '../log';
import type { CloseBound } from '../net/drain';
import type { TokenKeeping } from '../oauth/keptTokens';
import { UserSession, type SignedInUser } from '../oauth/userSession';
import type { SecretStore } from '../secrets/secretStore';
import { TunnelSupervisor } from '../tunnel/supervisor';
import type { TunnelMode, TunnelState, TunnelStateDetail } from '../tunnel/types';
import { closeInOrder } from '../lifecycle/closeInOrder';
import { userForwarding } from './userForwarding';

export interface ConnectionRuntimeOptions {
  readonly agents: HttpAgents;
  /** How the connection reaches the connectivity proxy (`direct`: no tunnel). */
  readonly tunnelMode: TunnelMode;
  readonly logger: Logger;
  /** Required of every request to its HTTP forwards (shared machines). */
  readonly localToken?: string;
  /** Where a signed-in user's tokens live (the connection's secret store); none: no user sign-in. */
  readonly userSecrets?: SecretStore;
  /** Dev-server origins its HTTP forwards accept (may change while they run). */
  readonly allowedOrigins?: OriginAllowList;
  /** The current network for the forwards' Internet upstreams; `agents`' by default. */
  readonly network?: () => OutboundNetwork;
  /** Remembers paths that worked through the forwards, for `check`'s warning (the caller owns it). */
  readonly recentPaths?: RecentPathsRecorder;
  /** The Destination service of a subscriber tenant, for one-port forwards (`X-Tenant-Subdomain`/`X-Tenant-Id`). */
  readonly clientForTenant?: ForwardManagerOptions['clientForTenant'];
  /** Environment of tunnel commands (`process.env` by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The subscriber tenant the connection acts for (destinations, sign-in, proxy token); none: the provider. */
  readonly tenant?: SubscriberTenant;
  /** Where the tokens of the Destination and connectivity services outlive the process (saved connections). */
  readonly keepTokens?: TokenKeeping;
}

/** What a runtime runs on: `parts()` makes them from bindings; tests hand in their own. */
export interface RuntimeParts {
  readonly name: string;
  /** Where its destinations live: the Destination service, or the local store. */
  readonly client: DestinationSource;
  readonly connectivityBinding?: ConnectivityBinding;
  readonly connectivity?: ConnectivityAccess;
  readonly tunnel?: TunnelSupervisor;
  readonly user?: UserSession;
  /** What `X-tenant` names for destinations that need it (client credentials with a Common token URL). */
  readonly tenantSubdomain?: string;
}

export interface TunnelChange {
  readonly state: TunnelState;
  readonly detail?: TunnelStateDetail;
}

/**
 * One connection in use, for the CLI and the extension alike: its Destination service client, its forwards, the
 * connectivity proxy (directly or through a tunnel that starts with the first forward) and the signed-in user.
 * Forwards start with everything they wait for running at once; `close()` takes it all down in one order.
 */
export class ConnectionRuntime {
  readonly name: string;
  readonly client: DestinationSource;
  readonly connectivityBinding: ConnectivityBinding | undefined;
  readonly forwards: ForwardManager;
  /** The user signed in to this connection (browser sign-in), when it has a secret store for one. */
  readonly user: UserSession | undefined;
  readonly tunnelMode: TunnelMode;
  private readonly tenantSubdomain: string | undefined;
  private readonly connectivity: ConnectivityAccess | undefined;
  private readonly tunnel: TunnelSupervisor | undefined;
  private readonly tunnelChanges = new Emitter<TunnelChange>();
  /** The tunnel's state changed (starting, ready, reconnecting, failed, stopped). */
  readonly onDidChangeTunnelState = this.tunnelChanges.event;
  private tunnelStarting: Promise<void> | undefined;
  private readonly disposables = new DisposableStore();
  /** The caller's resources that go with the connection: closed after the forwards, newest first. */
  private readonly adopted: (() => Promise<void> | void)[] = [];
  private closing: Promise<void> | undefined;

  /** The subscriber tenant this runtime's client, forwards and user act for; undefined: the provider. */
  get tenant(): SubscriberTenant | undefined {
    return this.options.tenant;
  }

  /** The client, connectivity access, tunnel and user session of a connection's bindings. */
  static parts(name: string, bindings: ConnectionBindings, options: ConnectionRuntimeOptions, client?: DestinationServiceClient): RuntimeParts {
    const { agents, logger } = options;
    const tenant = options.tenant ? { tenant: options.tenant } : {};
    const user = options.userSecrets
      ? new UserSession({
          connection: name,
          ...(bindings.login ? { binding: bindings.login } : {}),
          ...tenant,
          agents,
          secrets: options.userSecrets,
          logger: logger.child('user'),
        })
      : undefined;
    const binding = bindings.connectivity;
    const tunnel =
      binding && options.tunnelMode.kind !== 'direct'
        ? new TunnelSupervisor(
            connectivityTunnelOptions(binding, options.tunnelMode, { logger: logger.child('tunnel'), ...(options.env ? { env: options.env } : {}) }),
          )
        : undefined;
    const connectivity = binding
      ? new ConnectivityAccess(binding, agents, tunnel ? tunnelEndpoints(tunnel) : undefined, {
          ...(user ? userForwarding(user).connectivity : {}),
          // The connectivity proxy's token is taken in the zone of the tenant the connection acts for.
          ...tenant,
          ...(options.keepTokens ? { keeper: options.keepTokens.forPart('connectivity', binding) } : {}),
        })
      : undefined;
    const tenantSubdomain = tenantHeaderSubdomain(bindings.destination, options.tenant);
    return {
      name,
      client:
        client ??
        new DestinationServiceClient({
          binding: bindings.destination,
          agents,
          logger: logger.child('destinations'),
          ...tenant,
          ...(options.keepTokens ? { keeper: options.keepTokens.forPart('destination', bindings.destination) } : {}),
        }),
      ...(tenantSubdomain ? { tenantSubdomain } : {}),
      ...(binding ? { connectivityBinding: binding } : {}),
      ...(connectivity ? { connectivity } : {}),
      ...(tunnel ? { tunnel } : {}),
      ...(user ? { user } : {}),
    };
  }

  constructor(
    parts: RuntimeParts,
    private readonly options: ConnectionRuntimeOptions,
  ) {
    this.name = parts.name;
    this.client = parts.client;
    this.connectivityBinding = parts.connectivityBinding;
    this.connectivity = parts.connectivity;
    this.tunnel = parts.tunnel;
    this.user = parts.user;
    this.tenantSubdomain = parts.tenantSubdomain;
    this.tunnelMode = options.tunnelMode;
    const tunnel = this.tunnel;
    if (tunnel) this.disposables.add(tunnel.onDidChangeState((state, detail) => this.tunnelChanges.fire({ state, ...(detail ? { detail } : {}) })));
    const scope = this.recentScope;
    const recent = options.recentPaths;
    this.forwards = new ForwardManager({
      client: this.client,
      ...(this.connectivity ? { connectivity: this.connectivity } : {}),
      // Its OnPremise forwards show the tunnel's health (reconnecting while it is down).
      ...(tunnel ? { tunnel } : {}),
      logger: options.logger.child('forward'),
      ...(options.localToken === undefined ? {} : { localToken: options.localToken }),
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      // The current network: proxy settings may change, and the next forward takes the new ones.
      network: options.network ?? (() => options.agents.network),
      ...(this.findInputs ? { findOptions: this.findInputs } : {}),
      ...(options.clientForTenant ? { clientForTenant: options.clientForTenant } : {}),
      ...(recent && scope ? { recentPaths: { note: (destination: string, path: string) => recent.note(scope, destination, path) } } : {}),
    });
    this.disposables.add(this.tunnelChanges);
    if (this.user) this.disposables.add(this.user);
  }

  /**
   * What a lookup of a destination sends besides its name, given the destination as an earlier lookup found it: the
   * signed-in user's inputs, and `X-tenant` where the destination's token needs it. Undefined: nothing ever.
   */
  private get findInputs(): ((destination?: DestinationRecord) => Promise<FindOptions>) | undefined {
    const user = this.user ? userForwarding(this.user).findOptions : undefined;
    const subdomain = this.tenantSubdomain;
    if (!user && subdomain === undefined) return undefined;
    return async (destination) => withTenantHeader(user ? await user(destination) : {}, destination, subdomain);
  }

  get hasConnectivity(): boolean {
    return this.connectivity !== undefined;
  }

  get tunnelState(): TunnelState | undefined {
    return this.tunnel?.state;
  }

  /** The Destination service this connection uses, if it is one (not the destinations of this machine). */
  get destinationServiceUrl(): string | undefined {
    return this.client instanceof DestinationServiceClient && this.client.tokens.binding.kind === 'destination' ? this.client.tokens.binding.uri : undefined;
  }

  /**
   * Starts forwards; what they wait for runs at once: the tunnel (first forward), the signed-in user, and each
   * forward's lookups (Destination service token, destination, connectivity token). If any of it fails, the
   * forwards started here stop again and the first failure (the tunnel's before a forward's) is thrown.
   */
  async startForwards(specs: readonly ForwardSpec[]): Promise<ForwardInfo[]> {
    const user = this.loadUser();
    const settled = await Promise.allSettled([this.tunnelReady(), ...specs.map((spec) => this.forwards.start(spec))]);
    await user;
    const started = settled.slice(1).flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : []));
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) {
      await Promise.all(started.map((info) => this.forwards.stop(info.id, { graceMs: 0 })));
      throw failure.reason;
    }
    return started;
  }

  async startForward(spec: ForwardSpec): Promise<ForwardInfo> {
    const [info] = await this.startForwards([spec]);
    return info as ForwardInfo;
  }

  /** Stops a forward: requests in flight finish within `bound` (default 10 s). */
  stopForward(id: string, bound?: CloseBound): Promise<void> {
    return this.forwards.stop(id, bound);
  }

  /** The signed-in user, read from the secret store (a token service that is down only logs: forwards go on). */
  async loadUser(): Promise<SignedInUser | undefined> {
    return this.user?.load().catch((error: unknown) => {
      this.options.logger.warn(`could not read the signed-in user of ${this.name}: ${isBtpError(error) ? error.message : String(error)}`);
      return undefined;
    });
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
    await this.tunnelReady();
    const [http, socks5] = this.tunnel.endpoints;
    if (!http) return undefined;
    return { host: http.host, httpPort: http.port, ...(socks5 ? { socks5Port: socks5.port } : {}) };
  }

  /**
   * Walks every hop to a destination (`checkDestination`): through the running tunnel when there is one, else
   * the tunnel mode; as the signed-in user when there is one; with a fragment merged in when one is named.
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
    const recentPaths = await this.recentPathsOf(destination);
    return checkDestination(destination, {
      client: this.client,
      agents: this.options.agents,
      ...(this.connectivityBinding ? { connectivity: this.connectivityBinding } : {}),
      ...(tunnel && tunnel.state === 'ready' ? { proxyEndpoints: tunnelEndpoints(tunnel) } : { tunnel: this.tunnelMode }),
      ...(this.options.env ? { tunnelEnv: this.options.env } : {}),
      ...(path ? { path } : {}),
      ...(accessControl ? { accessControl } : {}),
      ...(recentPaths.length > 0 ? { recentPaths } : {}),
      ...(userToken ? { userToken } : {}),
      ...(userToken || fragment ? { findOptions: { ...(userToken ? { userToken } : {}), ...(fragment ? { fragmentName: fragment } : {}) } } : {}),
      // What a user flow needs (refresh token, code, subject token), as the forwards send it.
      ...(this.user ? { userInputs: userForwarding(this.user).findOptions } : {}),
      ...(this.tenantSubdomain ? { tenantSubdomain: this.tenantSubdomain } : {}),
      logger: this.options.logger.child('check'),
    });
  }

  /** Closes `close` with the connection: after its forwards, before the connectivity access, tunnel and user. */
  adopt(close: () => Promise<void> | void): void {
    this.adopted.push(close);
  }

  /**
   * Takes everything down once, in this order: the forwards (requests in flight finish within `bound`, default
   * 2 s), what was adopted (newest first), the connectivity proxy's pool, the tunnel, the user session and events,
   * then the kept tokens' last write. Every step runs even if one before it failed; the failures are thrown together at the end.
   */
  close(bound?: CloseBound): Promise<void> {
    this.closing ??= closeInOrder([
      () => this.forwards.dispose(bound),
      ...[...this.adopted].reverse(),
      () => this.connectivity?.close(),
      () => this.tunnel?.stop(),
      () => this.disposables.dispose(),
      // Before the connection is removed or the process ends: a late write would bring removed tokens back.
      () => this.options.keepTokens?.written(),
    ]);
    return this.closing;
  }

  /** The first forward starts the tunnel; later ones wait for that start, or go on if it is over (up or failed). */
  private tunnelReady(): Promise<void> | undefined {
    const tunnel = this.tunnel;
    if (tunnel?.state === 'idle') this.tunnelStarting = tunnel.start();
    return tunnel?.state === 'starting' ? this.tunnelStarting : undefined;
  }

  private get recentScope(): string | undefined {
    return this.client instanceof DestinationServiceClient ? recentPathsScopeOf(this.client.tokens.binding) : undefined;
  }

  /** Paths that worked through this destination's forwards (any process): this one's are written first. */
  private async recentPathsOf(destination: string): Promise<string[]> {
    const recorder = this.options.recentPaths;
    const scope = this.recentScope;
    if (!recorder || !scope) return [];
    await recorder.flush();
    return (await readRecentPaths(recorder.directory, scope, destination)).map((entry) => entry.path);
  }
}
