import { EventEmitter } from 'node:events';
import { createServer as createHttp2Server, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { silentLogger, type Logger } from '../../core/log';
import type { OnPremiseNetwork } from '../onPremise/gate/network';
import type { KeyPairPem } from '../pki';
import { BackendAccess } from './backend';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff';
import { serveConnectStream } from './connectStream';
import { serveHttpStream, type StreamContext } from './httpStream';
import { PrincipalCertificates } from './principal';
import { registerAtProxy, type PendingRegistration } from './registration';
import type { SystemMapping } from './types';

export interface CloudConnectorOptions {
  /** `http://127.0.0.1:<port>` of the connectivity proxy's tunnel port. */
  readonly tunnelUrl: string;
  /** The sandbox's connector secret (`identity.connectorSecret`). */
  readonly secret: string;
  readonly subaccountId: string;
  /** Empty = registered without a location ID (the default tunnel). */
  readonly locationId?: string;
  readonly mappings: readonly SystemMapping[];
  /** Issues the short-lived user certificates of principal propagation; without it X509 mappings propagate nothing. */
  readonly certificateAuthority?: KeyPairPem;
  /** CA for HTTPS/TCPS backends. */
  readonly trustedCaPem?: string;
  /**
   * The sandbox's on-premise network: its systems take connections only from a connector, which proves itself to
   * them on every connection. Without it they refuse this connector; other backends never need it.
   */
  readonly network?: OnPremiseNetwork;
  readonly backoff?: BackoffPolicy;
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

/** `waiting` = between reconnect attempts; `closed` = for good. */
export type ConnectorState = 'disconnected' | 'connecting' | 'connected' | 'waiting' | 'closed';

export interface ConnectorStateDetail {
  /** Set in `waiting`: how long until the next attempt. */
  readonly retryInMs?: number;
  /** Why the last attempt or connection failed. */
  readonly error?: string;
}

export interface ConnectorStats {
  readonly connections: number;
  readonly totalStreams: number;
  readonly activeStreams: number;
  readonly peakStreams: number;
}

/**
 * An emulated SAP Cloud Connector. It dials out to the proxy's tunnel port, registers subaccount and location ID
 * with an HTTP/1.1 upgrade, and then serves HTTP/2 on that outbound socket: every cloud request or TCP connection
 * is one stream, checked against the system mappings (deny by default) and relayed to the on-premise system.
 * Lost connections are re-established with capped exponential backoff.
 */
export class CloudConnector extends EventEmitter<{ state: [state: ConnectorState, detail: ConnectorStateDetail] }> {
  readonly subaccountId: string;
  readonly locationId: string;
  private currentState: ConnectorState = 'disconnected';
  private mappingList: readonly SystemMapping[];
  private wanted = false;
  private attempt = 0;
  private dialCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: PendingRegistration | undefined;
  private socket: Socket | undefined;
  private session: ServerHttp2Session | undefined;
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly h2 = createHttp2Server({
    settings: { initialWindowSize: 1024 * 1024, maxConcurrentStreams: 1000 },
    maxHeaderListPairs: 1024,
    maxSessionMemory: 64,
  });
  private readonly backend: BackendAccess;
  private readonly backendSockets = new Set<Socket>();
  private readonly logger: Logger;
  private counters = { connections: 0, totalStreams: 0, activeStreams: 0, peakStreams: 0 };

  constructor(private readonly options: CloudConnectorOptions) {
    super();
    this.subaccountId = options.subaccountId;
    this.locationId = options.locationId ?? '';
    this.mappingList = options.mappings;
    this.logger = options.logger ?? silentLogger;
    this.backend = new BackendAccess(
      options.trustedCaPem,
      new PrincipalCertificates(options.certificateAuthority),
      options.connectTimeoutMs ?? 10_000,
      options.network,
    );
    const context: StreamContext = { mappings: () => this.mappingList, backend: this.backend, logger: this.logger };
    this.h2.on('session', (session) => this.attached(session));
    this.h2.on('stream', (stream, headers) => {
      this.counters.totalStreams++;
      this.counters.activeStreams++;
      this.counters.peakStreams = Math.max(this.counters.peakStreams, this.counters.activeStreams);
      stream.once('close', () => this.counters.activeStreams--);
      stream.on('error', (error) => this.logger.debug(`stream failed: ${error.message}`));
      try {
        if (headers[':method'] === 'CONNECT') serveConnectStream(stream, headers, context, this.backendSockets);
        else serveHttpStream(stream, headers, context);
      } catch (error) {
        this.logger.error('serving a tunnel stream failed', error instanceof Error ? error.stack : error);
        stream.destroy();
      }
    });
  }

  get state(): ConnectorState {
    return this.currentState;
  }

  get mappings(): readonly SystemMapping[] {
    return this.mappingList;
  }

  /** Replaces the access control at runtime, as an administrator does in the Cloud Connector UI. */
  setMappings(mappings: readonly SystemMapping[]): void {
    this.mappingList = mappings;
  }

  stats(): ConnectorStats {
    return { ...this.counters };
  }

  /** Connects (and keeps reconnecting until `disconnect`). Resolves once registered; rejects if the next attempt fails. */
  connect(): Promise<void> {
    if (this.currentState === 'closed') return Promise.reject(new Error('The Cloud Connector is closed'));
    this.wanted = true;
    if (this.currentState === 'connected') return Promise.resolve();
    const result = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.currentState === 'disconnected' || this.currentState === 'waiting') {
      clearTimeout(this.timer);
      this.dial();
    }
    return result;
  }

  /** Takes the connector offline until `connect()`; resolves when its socket is closed. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    await this.teardown();
    if (this.currentState !== 'closed') this.setState('disconnected', {});
    this.settle(new Error('The Cloud Connector was disconnected'));
  }

  /** Simulates a network failure: the connection breaks, and the connector reconnects on its own. */
  drop(): void {
    this.socket?.destroy();
  }

  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.wanted = false;
    await this.teardown();
    for (const socket of this.backendSockets) socket.destroy();
    this.backend.close();
    this.setState('closed', {});
    this.settle(new Error('The Cloud Connector is closed'));
  }

  private dial(): void {
    const dial = ++this.dialCount;
    this.setState('connecting', {});
    const request = {
      tunnelUrl: this.options.tunnelUrl,
      secret: this.options.secret,
      subaccountId: this.subaccountId,
      locationId: this.locationId,
      timeoutMs: this.options.connectTimeoutMs ?? 10_000,
    };
    this.pending = registerAtProxy(request, (result) => {
      // A disconnect or close since this attempt started makes its result moot.
      if (dial !== this.dialCount) {
        if (result.ok) result.socket.destroy();
        return;
      }
      this.pending = undefined;
      if (!result.ok) return this.attemptFailed(result.reason);
      const socket = result.socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      socket.on('error', (error) => this.logger.debug(`tunnel socket failed: ${error.message}`));
      socket.once('end', () => socket.destroy());
      this.socket = socket;
      try {
        this.h2.emit('connection', socket);
      } catch (error) {
        socket.destroy();
        this.socket = undefined;
        this.attemptFailed(`the HTTP/2 session could not start: ${(error as Error).message}`);
      }
    });
  }

  private attached(session: ServerHttp2Session): void {
    this.session = session;
    this.counters.connections++;
    this.attempt = 0;
    try {
      session.setLocalWindowSize(16 * 1024 * 1024);
    } catch {
      // A session that is already going away reports itself through 'close'.
    }
    session.on('error', (error) => this.logger.debug(`tunnel session failed: ${error.message}`));
    session.once('close', () => this.lost(session));
    this.logger.info(`connected to ${this.options.tunnelUrl} for subaccount ${this.subaccountId}, location ID '${this.locationId}'`);
    this.setState('connected', {});
    this.settle();
  }

  private lost(session: ServerHttp2Session): void {
    if (session !== this.session) return;
    this.session = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    if (this.currentState === 'closed') return;
    if (this.wanted) this.scheduleRetry('the tunnel connection was lost');
    else this.setState('disconnected', {});
  }

  private attemptFailed(reason: string): void {
    this.logger.warn(`registration at ${this.options.tunnelUrl} failed: ${reason}`);
    this.settle(new Error(`The Cloud Connector could not register: ${reason}`));
    if (this.wanted) this.scheduleRetry(reason);
    else if (this.currentState !== 'closed') this.setState('disconnected', { error: reason });
  }

  private scheduleRetry(reason: string): void {
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? defaultBackoff);
    this.setState('waiting', { retryInMs: delay, error: reason });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.wanted) this.dial();
    }, delay);
  }

  private async teardown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dialCount++;
    this.pending?.abort();
    this.pending = undefined;
    const socket = this.socket;
    const session = this.session;
    this.session = undefined;
    this.socket = undefined;
    if (!socket || socket.destroyed) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    session?.destroy();
    socket.destroy();
    await closed;
  }

  private settle(error?: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  private setState(state: ConnectorState, detail: ConnectorStateDetail): void {
    this.currentState = state;
    this.emit('state', state, detail);
  }
}
