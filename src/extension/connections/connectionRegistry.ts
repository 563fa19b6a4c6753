import type { SignedInUser, UserSession } from '../../core/oauth/userSession';
import { parseCredentials } from '../../core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding, XsuaaBinding } from '../../core/bindings/types';
import type { ConnectionBindings, ConnectionStore } from '../../core/connections/connectionStore';
import { sameTenant, tenantText, type SubscriberTenant } from '../../core/connections/subscriberTenant';
import { USER_TOKEN_FIELDS, userSecretKey } from '../../core/secrets/secretKeys';
import { BtpError, ErrorCode } from '../../core/errors';
import { Emitter } from '../../core/events';
import type { ForwardInfo } from '../../core/forward/forwardManager';
import { appAddress } from '../../core/forward/localToken';
import { RecentPathsRecorder } from '../../core/forward/recentPaths';
import type { OriginAllowList } from '../../core/forward/allowedOrigins';
import { HttpAgents } from '../../core/http/agents';
import type { OutboundNetwork } from '../../core/http/outbound';
import type { LocalDestinationStore } from '../../core/localDestinations/localDestinationStore';
import type { Logger } from '../../core/log';
import type { TunnelMode, TunnelState } from '../../core/tunnel/types';
import type { Sandbox } from '../../sandbox/sandbox';
import type { Config } from '../base/config';
import { keepTokensIn } from '../../core/oauth/keptTokens';
import { tenantClients } from '../../core/forward/tenantClients';
import { LiveConnection, type ConnectionKind, type LiveConnectionOptions } from './liveConnection';

/** The name the embedded sandbox appears under in the tree. */
export const SANDBOX_CONNECTION = 'sandbox';
/** The name of the destinations imported on this machine. */
export const LOCAL_CONNECTION = 'local';

export interface ConnectionEntry {
  readonly name: string;
  readonly kind: ConnectionKind;
  /** What to show next to the name: the Destination service host, "local sandbox" or "this machine". */
  readonly description: string;
  /** The subscriber tenant the connection acts for, as the user gave it; none: the provider. */
  readonly tenant?: string;
}

export interface TunnelEntry {
  readonly connection: string;
  readonly mode: TunnelMode;
  readonly state: TunnelState;
}

export interface ForwardEntry {
  readonly connection: string;
  readonly info: ForwardInfo;
}

/**
 * The connections the extension knows: saved ones (shared with the CLI through connections.json and the OS
 * keychain) and the embedded sandbox while it runs. Each is opened on first use and owns its forwards.
 */
export class ConnectionRegistry {
  private readonly live = new Map<string, Promise<LiveConnection>>();
  /** The user sessions of the open connections (read synchronously by the tree). */
  private readonly users = new Map<string, UserSession>();
  private readonly forwardsByConnection = new Map<string, Map<string, ForwardInfo>>();
  private readonly changes = new Emitter<void>();
  private readonly forwardChanges = new Emitter<ForwardEntry>();
  private sandbox: Sandbox | undefined;
  private sandboxAgents: HttpAgents | undefined;
  /** The tenant the sandbox connection acts for in this window (the sandbox is not a saved connection). */
  private sandboxTenant: SubscriberTenant | undefined;

  /** Connections were added or removed. */
  readonly onDidChangeConnections = this.changes.event;
  /** A forward started, stopped, or changed state or counters. */
  readonly onDidChangeForward = this.forwardChanges.event;
  private readonly tunnelChanges = new Emitter<string>();
  /** A connection's tunnel changed state, or the connection was opened or closed with one; fires with its name. */
  readonly onDidChangeTunnel = this.tunnelChanges.event;
  private readonly userChanges = new Emitter<string>();
  /** The signed-in user of a connection changed (sign-in, refresh, sign-out); fires with the connection's name. */
  readonly onDidChangeUser = this.userChanges.event;

  constructor(
    readonly store: ConnectionStore,
    /** Destinations imported on this machine, shown as the connection "local" while there are any. */
    readonly local: LocalDestinationStore,
    private readonly config: Config,
    private readonly agents: HttpAgents,
    private readonly logger: Logger,
    /** Set where this machine's loopback is shared (AC-06): every HTTP forward then requires it. */
    private readonly localToken?: string,
    /** Dev-server origins every HTTP forward accepts. */
    private readonly allowedOrigins?: OriginAllowList,
  ) {
    this.recentPaths = new RecentPathsRecorder(store.directory, { logger: logger.child('recent paths') });
  }

  /** Paths that worked through any connection's forwards, in recent-paths.json next to connections.json. */
  private readonly recentPaths: RecentPathsRecorder;

  /** A forward's address as apps get it (`destinations`, exports, the clipboard): with the local token if required. */
  urlForApps(info: ForwardInfo): string {
    return appAddress(info.localAddress, info.tokenRequired ? this.localToken : undefined);
  }

  async list(): Promise<ConnectionEntry[]> {
    const saved: ConnectionEntry[] = (await this.store.list()).map((summary) => ({
      name: summary.name,
      kind: 'saved',
      description: hostOf(summary.destinationServiceUrl),
      ...(summary.tenant ? { tenant: tenantText(summary.tenant) } : {}),
    }));
    const local: ConnectionEntry[] = (await this.local.names()).length > 0 ? [{ name: LOCAL_CONNECTION, kind: 'local', description: 'this machine' }] : [];
    const sandbox: ConnectionEntry[] = this.sandbox
      ? [{ name: SANDBOX_CONNECTION, kind: 'sandbox', description: 'local sandbox', ...(this.sandboxTenant ? { tenant: tenantText(this.sandboxTenant) } : {}) }]
      : [];
    return [...sandbox, ...local, ...saved];
  }

  get(name: string): Promise<LiveConnection> {
    let connection = this.live.get(name);
    if (!connection) {
      connection = this.open(name);
      this.live.set(name, connection);
      connection.catch(() => this.live.delete(name));
    }
    return connection;
  }

  async add(name: string, bindings: ConnectionBindings, replace = false): Promise<void> {
    if (name === SANDBOX_CONNECTION || name === LOCAL_CONNECTION) {
      throw new BtpError(
        ErrorCode.InvalidInput,
        `"${name}" is the name of ${name === SANDBOX_CONNECTION ? 'the embedded sandbox' : 'the local destinations'}; choose another name.`,
        { field: 'name' },
      );
    }
    await this.store.add(name, bindings, { replace });
    await this.close(name);
    this.changes.fire();
  }

  /**
   * Gives a saved connection the xsuaa key its users sign in with (stored with its secret in the secret store);
   * an open connection's session uses it at once, without stopping its forwards.
   */
  async setLogin(name: string, login: XsuaaBinding): Promise<void> {
    if (name === SANDBOX_CONNECTION || name === LOCAL_CONNECTION) {
      throw new BtpError(
        ErrorCode.Unsupported,
        `"${name}" takes no sign-in key: ${name === SANDBOX_CONNECTION ? 'the sandbox signs in with its demo app' : 'local destinations have no users'}.`,
        { field: 'connection' },
      );
    }
    await this.store.setLogin(name, login);
    const live = this.live.get(name);
    const connection = live ? await live.catch(() => undefined) : undefined;
    await connection?.user?.useBinding(login);
  }

  /** The subscriber tenant a connection acts for; undefined: the provider (and always for local destinations). */
  async tenantOf(name: string): Promise<SubscriberTenant | undefined> {
    if (name === LOCAL_CONNECTION) return undefined;
    return name === SANDBOX_CONNECTION ? this.sandboxTenant : this.store.tenant(name);
  }

  /**
   * Makes a connection act for a subscriber tenant (undefined: the provider again): saved with a saved connection,
   * kept for this window's sandbox. The connection's forwards stop (they served the other tenant's destinations)
   * and its signed-in user is signed out (their tokens belong to the other tenant's zone).
   */
  async setTenant(name: string, tenant: SubscriberTenant | undefined): Promise<void> {
    if (name === LOCAL_CONNECTION) {
      throw new BtpError(ErrorCode.Unsupported, 'The destinations of this machine have no tenants: act for a tenant on a subaccount connection.', {
        field: 'connection',
      });
    }
    if (name === SANDBOX_CONNECTION) {
      if (sameTenant(this.sandboxTenant, tenant)) return;
      // Signed out whether or not the connection is open: its tokens are in the secret store, not only in memory.
      for (const field of USER_TOKEN_FIELDS) await this.store.secretStore.delete(userSecretKey(name, field));
      this.sandboxTenant = tenant;
    } else {
      await this.store.setTenant(name, tenant);
    }
    await this.close(name);
    this.userChanges.fire(name);
    this.changes.fire();
  }

  /**
   * Subscriber tenants to offer for a connection: the sandbox's subscriber subaccounts and the connection's current
   * tenant. A subaccount's subscriptions are not readable with a Destination service key: others are typed in.
   */
  async knownTenants(name: string): Promise<SubscriberTenant[]> {
    const found: SubscriberTenant[] = [];
    const add = (tenant: SubscriberTenant | undefined) => {
      if (tenant && !found.some((known) => sameTenant(known, tenant))) found.push(tenant);
    };
    if (name === SANDBOX_CONNECTION && this.sandbox) {
      const world = this.sandbox.identity.world;
      for (const tenant of world.data.tenants) if (tenant.id !== world.provider.id) add({ subdomain: tenant.subdomain });
    }
    add(await this.tenantOf(name));
    return found;
  }

  /** Saves destinations to the local store (created, or replaced by name) and shows the local connection. */
  async addLocalDestinations(destinations: readonly Record<string, string>[]): Promise<void> {
    const existing = new Set(await this.local.names());
    for (const destination of destinations) {
      if (existing.has(destination.Name ?? '')) await this.local.update('subaccount', destination);
      else await this.local.create('subaccount', destination);
    }
    this.changes.fire();
  }

  /** Stops the connection's forwards and deletes it with its secrets. */
  async remove(name: string): Promise<void> {
    await this.close(name);
    await this.store.remove(name);
    this.changes.fire();
  }

  /** Shows (or, with undefined, hides) the embedded sandbox as a connection. */
  async setSandbox(sandbox: Sandbox | undefined): Promise<void> {
    await this.close(SANDBOX_CONNECTION);
    await this.sandboxAgents?.close();
    this.sandbox = sandbox;
    this.sandboxTenant = undefined;
    this.sandboxAgents = sandbox ? new HttpAgents({ network: this.agents.network, extraCaPem: sandbox.caPem }) : undefined;
    this.changes.fire();
  }

  /** This machine's proxy and trust, for HTTP that is not a connection's (checking a key before saving it). */
  get network(): OutboundNetwork {
    return this.agents.network;
  }

  forwards(): ForwardEntry[] {
    return [...this.forwardsByConnection].flatMap(([connection, infos]) => [...infos.values()].map((info) => ({ connection, info })));
  }

  /** The user signed in to a connection, once the connection is open and its sign-in was read. */
  signedInUser(connection: string): SignedInUser | undefined {
    return this.users.get(connection)?.user;
  }

  /** The open connections that reach the connectivity proxy through a tunnel, with its mode and state. */
  async tunnels(): Promise<TunnelEntry[]> {
    const entries: TunnelEntry[] = [];
    for (const [name, pending] of this.live) {
      const connection = await pending.catch(() => undefined);
      if (connection && connection.tunnelMode.kind !== 'direct' && connection.hasConnectivity)
        entries.push({ connection: name, mode: connection.tunnelMode, state: connection.tunnelState ?? 'idle' });
    }
    return entries.sort((a, b) => a.connection.localeCompare(b.connection));
  }

  /**
   * Opens a connection again after its tunnel changed (Set Up Tunnel…, Remove Tunnel App), and restarts the forwards
   * it had on the same ports: they now go through the new tunnel. Resolves to the number restarted.
   */
  async reopen(name: string): Promise<number> {
    const running = [...(this.forwardsByConnection.get(name)?.values() ?? [])];
    await this.close(name);
    this.tunnelChanges.fire(name);
    const connection = await this.get(name);
    let restarted = 0;
    for (const info of running) {
      try {
        await connection.startForward({
          destination: info.destination,
          port: info.port,
          kind: info.kind,
          allowWebSocket: info.allowWebSocket,
          passCookies: info.passCookies,
        });
        restarted++;
      } catch (error) {
        this.logger.warn(`${name}/${info.destination} did not restart after its tunnel changed`, error instanceof Error ? error.message : error);
      }
    }
    return restarted;
  }

  /** The forward of `destination` (with `fragment`, or without any fragment). */
  forwardOf(connection: string, destination: string, fragment?: string): ForwardInfo | undefined {
    return [...(this.forwardsByConnection.get(connection)?.values() ?? [])].find((info) => info.destination === destination && info.fragment === fragment);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live.keys()].map((name) => this.close(name)));
    await this.sandboxAgents?.close();
    await this.recentPaths.dispose();
    this.changes.dispose();
    this.forwardChanges.dispose();
    this.userChanges.dispose();
    this.tunnelChanges.dispose();
  }

  private async open(name: string): Promise<LiveConnection> {
    const logger = this.logger.child(name);
    let connection: LiveConnection;
    if (name === SANDBOX_CONNECTION && this.sandbox && this.sandboxAgents) {
      const bindings: ConnectionBindings = {
        destination: parseCredentials(this.sandbox.keys.destination, { expected: 'destination' }) as DestinationBinding,
        connectivity: parseCredentials(this.sandbox.keys.connectivity, { expected: 'connectivity' }) as ConnectivityBinding,
        // Users sign in with the demo app's xsuaa client: the Destination service's client registers no redirect URI.
        login: parseCredentials(this.sandbox.keys.xsuaa, { expected: 'xsuaa' }) as XsuaaBinding,
      };
      connection = LiveConnection.fromBindings(name, 'sandbox', bindings, {
        ...this.connectionOptions(this.sandboxAgents, { kind: 'direct' }, logger),
        // The one-port forward's X-Tenant-Subdomain / X-Tenant-Id reach a subscriber's destinations, as on the CLI.
        clientForTenant: tenantClients(bindings.destination, this.sandboxAgents),
        userSecrets: this.store.secretStore,
        ...(this.sandboxTenant ? { tenant: this.sandboxTenant } : {}),
      });
    } else if (name === LOCAL_CONNECTION) {
      connection = LiveConnection.local(name, this.local, this.connectionOptions(this.agents, { kind: 'direct' }, logger));
    } else {
      // The setting wins over the tunnel Set Up Tunnel… (or the CLI's `tunnel setup`) saved for the connection.
      // Local reads (file, keychain) that do not depend on each other.
      const [saved, bindings, tenant] = await Promise.all([this.store.tunnel(name), this.store.load(name), this.store.tenant(name)]);
      const tunnelMode = this.config.tunnelSetting(name) ?? saved?.mode ?? { kind: 'direct' };
      connection = LiveConnection.fromBindings(name, 'saved', bindings, {
        ...this.connectionOptions(this.agents, tunnelMode, logger),
        clientForTenant: tenantClients(bindings.destination, this.agents),
        userSecrets: this.store.secretStore,
        // Shared with the CLI: a window reloaded, or a command run in the terminal, starts with a valid token.
        keepTokens: keepTokensIn(this.store.secretStore, name, logger.child('tokens')),
        ...(tenant ? { tenant } : {}),
      });
    }
    connection.onDidChangeTunnelState(() => this.tunnelChanges.fire(name));
    if (connection.tunnelMode.kind !== 'direct') this.tunnelChanges.fire(name);
    const infos = new Map<string, ForwardInfo>();
    this.forwardsByConnection.set(name, infos);
    if (connection.user) this.users.set(name, connection.user);
    connection.user?.onDidChange(() => this.userChanges.fire(name));
    // Who is signed in shows on the connection as soon as it is opened; a failing token service only logs.
    void connection.user?.load().then(
      (user) => user && this.userChanges.fire(name),
      (error: unknown) => logger.warn(`could not read the signed-in user: ${error instanceof Error ? error.message : String(error)}`),
    );
    connection.forwards.onDidChange((info) => {
      if (info.state === 'stopped') infos.delete(info.id);
      else infos.set(info.id, info);
      this.forwardChanges.fire({ connection: name, info });
    });
    return connection;
  }

  private connectionOptions(agents: HttpAgents, tunnelMode: TunnelMode, logger: Logger): LiveConnectionOptions {
    return {
      agents,
      tunnelMode,
      logger,
      ...(this.localToken === undefined ? {} : { localToken: this.localToken }),
      ...(this.allowedOrigins ? { allowedOrigins: this.allowedOrigins } : {}),
      // The sandbox's agents add its CA for its services; destinations go out on the window's network, as it is now.
      network: () => this.agents.network,
      recentPaths: this.recentPaths,
    };
  }

  private async close(name: string): Promise<void> {
    const connection = this.live.get(name);
    this.live.delete(name);
    const closed = connection ? await connection.catch(() => undefined) : undefined;
    await closed?.close();
    this.forwardsByConnection.delete(name);
    this.users.delete(name);
    if (closed && closed.tunnelMode.kind !== 'direct') this.tunnelChanges.fire(name);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
