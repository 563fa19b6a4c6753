import { randomUUID } from 'node:crypto';
import type { TokenTenant } from '../bindings/tokenEndpoint';
import type { ConnectivityAccess } from '../connectivity/connectivityAccess';
import type { DestinationServiceClient } from '../destinationService/client';
import type { DestinationRecord, FindOptions } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { checkMaxConnections, defaultMaxConnections } from './connectionLimit';
import { Emitter, type Disposable } from '../events';
import { silentLogger, type Logger } from '../log';
import { forwardKindOf, type ForwardKind } from './forwardKind';
import { HttpForward } from './httpForward';
import type { Exchange, ForwardTimeouts, HttpForwardOptions } from './httpForwardOptions';
import { appAddress } from './localToken';
import { DestinationResolver } from './resolver';
import { ALL_DESTINATIONS, DestinationRouter } from './router';
import { TrafficLog, type TrafficLogOptions } from '../inspect/trafficLog';
import { forwardLabel, fragmentFindOptions } from './forwardFragment';
import { TcpForward, type TcpConnectionReport } from './tcpForward';
import type { OriginAllowList } from './allowedOrigins';
import type { OutboundNetwork } from '../http/outbound';
import type { CloseBound } from '../net/drain';

export type ForwardState = 'starting' | 'ready' | 'reconnecting' | 'failed' | 'stopped';

export interface ForwardSpec {
  /** A destination name, or `ALL_DESTINATIONS` for one port that serves them all (`/<destination>/…`). */
  readonly destination: string;
  /**
   * A destination fragment merged into the destination on every lookup (`X-fragment-name`): its properties win,
   * e.g. another URL or other credentials. Not with `ALL_DESTINATIONS` (there a request names its own).
   */
  readonly fragment?: string;
  /** With `fragment`: a missing fragment leaves the destination as it is instead of failing (`X-fragment-optional`). */
  readonly fragmentOptional?: boolean;
  /** Local port; 0 or absent picks a free one. */
  readonly port?: number;
  /** Default: http for HTTP destinations, tcp for TCP/LDAP/MAIL. */
  readonly kind?: ForwardKind;
  readonly allowWebSocket?: boolean;
  /** Pass `Cookie`/`Set-Cookie` through (HTTP forwards); off by default. */
  readonly passCookies?: boolean;
  /**
   * Connections the forward may hold open upstream at once (default 128): a TCP forward resets further client
   * connections at once (`BTP_FORWARD_BUSY`); an OnPremise HTTP forward queues further requests in its own pool.
   */
  readonly maxConnections?: number;
}

export interface ForwardCounters {
  readonly requests: number;
  readonly errors: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Connections refused because the forward held `maxConnections` (also counted in `requests` and `errors`). */
  readonly refused: number;
}

export interface ForwardInfo {
  readonly id: string;
  readonly destination: string;
  /** The fragment merged into the destination, when the forward has one. */
  readonly fragment?: string;
  readonly kind: ForwardKind;
  readonly onPremise: boolean;
  readonly port: number;
  /** `http://127.0.0.1:PORT` or `127.0.0.1:PORT` (TCP). */
  readonly localAddress: string;
  readonly state: ForwardState;
  readonly counters: ForwardCounters;
  readonly lastError?: { readonly code: string; readonly message?: string };
  readonly allowWebSocket: boolean;
  readonly passCookies: boolean;
  readonly maxConnections: number;
  /** Requests must carry the local token; `urlForApps` gives the address that does. */
  readonly tokenRequired: boolean;
}

/** The tunnel to the connectivity proxy, as far as forwards care: its health. */
export interface TunnelHealth {
  readonly state: string;
  onDidChangeState(listener: (state: string) => void): Disposable;
}

export interface ForwardManagerOptions {
  /** Only `find` is used: the Destination service client, or the local store. */
  readonly client: Pick<DestinationServiceClient, 'find'>;
  readonly connectivity?: ConnectivityAccess;
  readonly tunnel?: TunnelHealth;
  /** Extra find-destination inputs (e.g. the signed-in user's, per destination: see session/userForwarding) for every forward. */
  readonly findOptions?: (destination?: DestinationRecord) => Promise<FindOptions>;
  /** The Destination service for a subscriber tenant (`X-Tenant-Subdomain`/`X-Tenant-Id` on one port); refused without it. */
  readonly clientForTenant?: (tenant: TokenTenant) => Pick<DestinationServiceClient, 'find'>;
  readonly timeouts?: Partial<ForwardTimeouts>;
  /** Every HTTP forward requires this token (shared machines, AC-06); TCP forwards cannot carry one and refuse to start. */
  readonly localToken?: string;
  /** Dev-server origins every HTTP forward accepts; the list may change while forwards run (settings, launch configs). */
  readonly allowedOrigins?: OriginAllowList;
  /** Proxy and trust for Internet upstreams, read when a forward starts (changed settings reach the next one). */
  readonly network?: () => OutboundNetwork;
  /** Told of every path that answered 2xx/3xx (below the destination's URL, no query), for `check` (recentPaths.ts). */
  readonly recentPaths?: { note(destination: string, path: string): void };
  readonly logger?: Logger;
}

interface Entry {
  /** Everything but the counters, replaced on state changes. */
  info: ForwardInfo;
  /** Counted in place: a request must not cost an object and an event. */
  readonly counters: { requests: number; errors: number; bytesIn: number; bytesOut: number; refused: number };
  readonly spec: ForwardSpec;
  readonly listener: HttpForward | TcpForward;
  /** The forward's own view of the connectivity access (its own pool to the proxy), closed with it. */
  readonly connectivity?: ConnectivityAccess;
  /** While somebody inspects the forward. */
  traffic?: TrafficLog | undefined;
  /** Counters moved since the last change event. */
  dirty: boolean;
}

/** How long requests in flight may finish when everything closes (the window or the CLI exits). */
const exitGraceMs = 2_000;

/** Counter-only changes are announced at most this often; state changes at once. */
const counterEventMs = 200;

/**
 * Owns the forwards of one connection: starts and stops them, keeps their ports, state and counters, and tells
 * the extension and the CLI about every change.
 */
export class ForwardManager {
  private readonly entries = new Map<string, Entry>();
  private readonly changes = new Emitter<ForwardInfo>();
  private readonly exchanges = new Emitter<{ forwardId: string; exchange: Exchange }>();
  private readonly logger: Logger;
  private readonly tunnelSubscription: Disposable | undefined;
  private counterTimer: NodeJS.Timeout | undefined;

  readonly onDidChange = this.changes.event;
  readonly onExchange = this.exchanges.event;

  constructor(private readonly options: ForwardManagerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.tunnelSubscription = options.tunnel?.onDidChangeState((state) => this.onTunnelState(state));
  }

  list(): ForwardInfo[] {
    return [...this.entries.values()].map(snapshot);
  }

  get(id: string): ForwardInfo | undefined {
    const entry = this.entries.get(id);
    return entry ? snapshot(entry) : undefined;
  }

  /** Binds the port, resolves the destination once, and only then reports the forward as ready. */
  async start(spec: ForwardSpec): Promise<ForwardInfo> {
    if (spec.destination === ALL_DESTINATIONS) return this.startRouter(spec);
    const maxConnections = spec.maxConnections === undefined ? defaultMaxConnections : checkMaxConnections(spec.maxConnections);
    const name = spec.destination;
    const fragment = fragmentFindOptions(spec);
    const label = forwardLabel(spec);
    const connectionFind = this.options.findOptions;
    const resolver = new DestinationResolver({
      client: this.options.client,
      name,
      // The destination as last found decides the user inputs (refresh token, code); the fragment goes on every lookup.
      ...(connectionFind || spec.fragment
        ? { findOptions: async (destination?: DestinationRecord) => ({ ...(connectionFind ? await connectionFind(destination) : {}), ...fragment }) }
        : {}),
    });
    // The lookup with credentials decides the kind and the target as well: one lookup before "ready" on the
    // connection warmed during the token request. Its failure is reported after the checks below.
    const resolving = resolver.get();
    resolving.catch(() => undefined);
    // The connectivity token an OnPremise forward's first request needs, and the connection to the proxy it goes on
    // (no bytes before a request): the kind is not known yet; the token is cached for every forward of the
    // connection, so an Internet forward costs one token request at most.
    this.options.connectivity?.token().catch(() => undefined);
    this.options.connectivity?.warm();
    const destination = await resolving.then(
      (resolved) => resolved.destination,
      // It failed (a token the service could not get, a user who must sign in): the destination without credentials
      // still says whether it is forwardable at all, which is the better answer for an RFC destination.
      () => this.findWithoutCredentials(name, fragment),
    );
    const { kind, onPremise } = forwardKindOf(name, destination, {
      kind: spec.kind,
      localToken: this.options.localToken !== undefined,
      connectivity: this.options.connectivity !== undefined,
    });
    await resolving;
    const id = randomUUID();
    const logger = this.logger.child(label);
    const connectivity = kind === 'http' ? this.options.connectivity?.forForward(maxConnections) : this.options.connectivity;
    const listener =
      kind === 'http'
        ? await HttpForward.listen({
            resolver,
            connectivity,
            logger,
            ...this.httpOptions(id, spec, maxConnections),
          })
        : await TcpForward.listen({
            resolver,
            connectivity,
            port: spec.port ?? 0,
            maxConnections,
            logger,
            onConnection: (report) => this.recordTcp(id, report),
          });
    const info: ForwardInfo = {
      id,
      destination: name,
      ...(spec.fragment ? { fragment: spec.fragment } : {}),
      kind,
      onPremise,
      port: listener.port,
      localAddress: kind === 'http' ? `http://127.0.0.1:${listener.port}` : `127.0.0.1:${listener.port}`,
      state: onPremise && this.options.tunnel && this.options.tunnel.state !== 'ready' ? 'reconnecting' : 'ready',
      counters: emptyCounters(),
      allowWebSocket: spec.allowWebSocket ?? false,
      passCookies: kind === 'http' && (spec.passCookies ?? false),
      maxConnections,
      tokenRequired: kind === 'http' && this.options.localToken !== undefined,
    };
    this.add(info, spec, listener, kind === 'http' ? connectivity : undefined);
    logger.info(`forwarding ${info.localAddress} → ${label}`);
    // Said once per forward, not per request: the user chose it, but should not forget it (AC-16).
    if (destination.TrustAll === 'true') logger.warn(`${name} has TrustAll=true: its server certificate is not checked. Use it for tests only.`);
    return info;
  }

  private async findWithoutCredentials(name: string, fragment: FindOptions): Promise<DestinationRecord> {
    const found = await this.options.client.find(name, { skipTokenRetrieval: true, skipCredentials: true, ...fragment });
    if (!found) throw new BtpError(ErrorCode.NotFound, `Destination "${name}" was not found.`);
    return found.destinationConfiguration;
  }

  /**
   * One port for every HTTP destination of the connection: `/<destination>/…` or an `X-Destination-Name`
   * header picks it per request, like the transparent proxy's dynamic lookup. Nothing is looked up at start.
   */
  private async startRouter(spec: ForwardSpec): Promise<ForwardInfo> {
    if (spec.fragment !== undefined)
      throw new BtpError(ErrorCode.InvalidInput, 'One port for all destinations takes its fragment per request (X-Fragment-Name), not one for the port.', {
        field: 'fragment',
      });
    if ((spec.kind ?? 'http') !== 'http')
      throw new BtpError(ErrorCode.InvalidInput, 'One port for all destinations serves HTTP only: give TCP destinations a port each.', { field: 'kind' });
    const maxConnections = spec.maxConnections === undefined ? defaultMaxConnections : checkMaxConnections(spec.maxConnections);
    const id = randomUUID();
    const router = new DestinationRouter({
      client: this.options.client,
      ...(this.options.findOptions ? { findOptions: this.options.findOptions } : {}),
      ...(this.options.clientForTenant ? { clientForTenant: this.options.clientForTenant } : {}),
    });
    const connectivity = this.options.connectivity?.forForward(maxConnections);
    const listener = await HttpForward.listen({
      router,
      connectivity,
      logger: this.logger.child('all destinations'),
      ...this.httpOptions(id, spec, maxConnections),
    });
    const info: ForwardInfo = {
      id,
      destination: ALL_DESTINATIONS,
      kind: 'http',
      onPremise: false,
      port: listener.port,
      localAddress: `http://127.0.0.1:${listener.port}`,
      state: 'ready',
      counters: emptyCounters(),
      allowWebSocket: spec.allowWebSocket ?? false,
      passCookies: spec.passCookies ?? false,
      maxConnections,
      tokenRequired: this.options.localToken !== undefined,
    };
    this.add(info, spec, listener, connectivity);
    this.logger.info(`forwarding ${info.localAddress}/<destination>/… → every destination of the connection`);
    return info;
  }

  private add(info: ForwardInfo, spec: ForwardSpec, listener: HttpForward | TcpForward, connectivity: ConnectivityAccess | undefined): void {
    this.entries.set(info.id, { info, counters: emptyCounters(), spec, listener, ...(connectivity ? { connectivity } : {}), dirty: false });
    this.changes.fire(info);
  }

  /**
   * The address to hand to apps (`destinations`, default-env.json, the clipboard): with a local token it carries
   * the token as its first path segment. Never log it.
   */
  urlForApps(info: ForwardInfo): string {
    return appAddress(info.localAddress, info.tokenRequired ? this.options.localToken : undefined);
  }

  /**
   * Starts recording the exchanges of an HTTP forward (the traffic inspector), or returns the log already
   * recording. Nothing is recorded, and nothing costs, until somebody asks.
   */
  inspect(id: string, options: TrafficLogOptions = {}): TrafficLog {
    const entry = this.entries.get(id);
    if (!entry) throw new BtpError(ErrorCode.NotFound, 'That forward is not running.');
    if (entry.info.kind !== 'http')
      throw new BtpError(ErrorCode.Unsupported, `${entry.info.destination} is a TCP forward: there are no HTTP requests to inspect.`, { field: 'kind' });
    if (entry.traffic) {
      if (options.bodies !== undefined) entry.traffic.setBodies(options.bodies);
      return entry.traffic;
    }
    entry.traffic = new TrafficLog(options);
    return entry.traffic;
  }

  /** Stops recording and drops what was recorded. */
  stopInspecting(id: string): void {
    const entry = this.entries.get(id);
    entry?.traffic?.dispose();
    if (entry) entry.traffic = undefined;
  }

  /**
   * Stops a forward: its port closes at once, requests in flight finish within `bound` (default 10 s) and are cut
   * after it; `{ graceMs: 0 }` cuts them now (`destroy`).
   */
  async stop(id: string, bound: CloseBound = {}): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.traffic?.dispose();
    await (bound.graceMs === 0 ? entry.listener.destroy() : entry.listener.close(bound));
    await entry.connectivity?.close();
    this.changes.fire({ ...snapshot(entry), state: 'stopped' });
  }

  /** Stops and starts again on the same port (e.g. after the destination changed). */
  async restart(id: string): Promise<ForwardInfo> {
    const entry = this.entries.get(id);
    if (!entry) throw new BtpError(ErrorCode.NotFound, 'That forward is not running.');
    await this.stop(id);
    return this.start({ ...entry.spec, port: entry.info.port });
  }

  /** Stops every forward; requests in flight get a short bound (default 2 s: the user is leaving). */
  async dispose(bound: CloseBound = { graceMs: exitGraceMs }): Promise<void> {
    this.tunnelSubscription?.dispose();
    if (this.counterTimer) clearTimeout(this.counterTimer);
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id, bound)));
    this.changes.dispose();
    this.exchanges.dispose();
  }

  /** What an HTTP forward takes from its spec and this manager, whether it serves one destination or routes. */
  private httpOptions(id: string, spec: ForwardSpec, maxConnections: number): Omit<HttpForwardOptions, 'resolver' | 'router' | 'connectivity' | 'logger'> {
    return {
      port: spec.port ?? 0,
      allowWebSocket: spec.allowWebSocket ?? false,
      passCookies: spec.passCookies ?? false,
      ...(this.options.localToken === undefined ? {} : { localToken: this.options.localToken }),
      ...(this.options.allowedOrigins ? { allowedOrigins: this.options.allowedOrigins } : {}),
      ...(this.options.network ? { network: this.options.network() } : {}),
      maxConnections,
      ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
      onExchange: (exchange) => this.record(id, exchange),
      traffic: () => this.entries.get(id)?.traffic,
    };
  }

  private record(id: string, exchange: Exchange): void {
    const failed = exchange.error !== undefined && exchange.status >= 500;
    this.countRefusal(id, exchange.error);
    this.update(id, exchange.bytesIn, exchange.bytesOut, failed, exchange.error);
    if (this.exchanges.hasListeners) this.exchanges.fire({ forwardId: id, exchange });
    if (this.options.recentPaths && exchange.error === undefined && exchange.status >= 200 && exchange.status < 400) {
      const destination = exchange.destination ?? this.entries.get(id)?.info.destination;
      if (destination !== undefined && destination !== ALL_DESTINATIONS) this.options.recentPaths.note(destination, exchange.path);
    }
  }

  private recordTcp(id: string, report: TcpConnectionReport): void {
    this.countRefusal(id, report.error);
    this.update(id, report.bytesIn, report.bytesOut, report.error !== undefined, report.error);
  }

  /** Refusals at `maxConnections`: TCP connections and WebSocket upgrades. */
  private countRefusal(id: string, errorCode: string | undefined): void {
    if (errorCode !== ErrorCode.ForwardBusy) return;
    const entry = this.entries.get(id);
    if (entry) entry.counters.refused++;
  }

  private update(id: string, bytesIn: number, bytesOut: number, failed: boolean, errorCode: string | undefined): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    const counters = entry.counters;
    counters.requests++;
    counters.bytesIn += bytesIn;
    counters.bytesOut += bytesOut;
    if (failed) counters.errors++;
    const previous = entry.info.state;
    const state: ForwardState = errorCode === ErrorCode.TunnelDown ? 'reconnecting' : previous === 'reconnecting' && !failed ? 'ready' : previous;
    if (state !== previous || (failed && errorCode && entry.info.lastError?.code !== errorCode)) {
      entry.info = { ...entry.info, state, ...(failed && errorCode ? { lastError: { code: errorCode } } : {}) };
      entry.dirty = false;
      this.changes.fire(snapshot(entry));
      return;
    }
    entry.dirty = true;
    this.counterTimer ??= setTimeout(() => this.flushCounters(), counterEventMs).unref();
  }

  private flushCounters(): void {
    this.counterTimer = undefined;
    for (const entry of this.entries.values()) {
      if (!entry.dirty) continue;
      entry.dirty = false;
      this.changes.fire(snapshot(entry));
    }
  }

  private onTunnelState(tunnelState: string): void {
    const state: ForwardState = tunnelState === 'ready' ? 'ready' : tunnelState === 'failed' ? 'failed' : 'reconnecting';
    for (const entry of this.entries.values()) {
      if (!entry.info.onPremise || entry.info.state === state) continue;
      entry.info = { ...entry.info, state };
      this.changes.fire(snapshot(entry));
    }
  }
}

function emptyCounters(): Entry['counters'] {
  return { requests: 0, errors: 0, bytesIn: 0, bytesOut: 0, refused: 0 };
}

function snapshot(entry: Entry): ForwardInfo {
  return { ...entry.info, counters: { ...entry.counters } };
}
