import { connect, createServer, type Server, type Socket } from 'node:net';
import { connectSocks5 } from '../connectivity/socks5Client';
import type { ConnectivityAccess } from '../connectivity/connectivityAccess';
import { BtpError, ErrorCode, isBtpError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { redactText } from '../redact';
import { checkMaxConnections, defaultMaxConnections, RefusalLog } from './connectionLimit';
import { locationIdOf, proxyTypeOf, tcpTargetOf } from './destinationTarget';
import { closeServer, listenLoopback } from '../net/listen';
import { deadlineOf, drainServer, type CloseBound } from '../net/drain';
import type { DestinationResolver } from './resolver';

export interface TcpForwardOptions {
  readonly resolver: DestinationResolver;
  readonly connectivity?: ConnectivityAccess | undefined;
  readonly port?: number;
  /** Connections held at once (each has one upstream); further ones are reset at once. Default 128. */
  readonly maxConnections?: number;
  readonly logger?: Logger;
  readonly onConnection?: (connection: TcpConnectionReport) => void;
}

export interface TcpConnectionReport {
  readonly durationMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly error?: string;
}

/**
 * `127.0.0.1:PORT` → a TCP/LDAP/MAIL destination: directly for Internet, through the connectivity proxy's SOCKS5
 * port for OnPremise. Bytes are piped with backpressure; a half-close on one side is passed to the other. At most
 * `maxConnections` connections are held at once, from accept until their upstream has closed: on-premise ones
 * are streams of the Cloud Connector's shared tunnel, and a flood on one port must not take them all (D2).
 */
export class TcpForward {
  private readonly sockets = new Set<Socket>();
  private readonly logger: Logger;
  readonly maxConnections: number;
  /** Connections accepted and not yet finished, upstream included. */
  private active = 0;
  private readonly refusals: RefusalLog;

  private constructor(
    private readonly server: Server,
    private readonly options: TcpForwardOptions,
    readonly port = 0,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxConnections = options.maxConnections ?? defaultMaxConnections;
    this.refusals = new RefusalLog(this.logger, this.maxConnections);
  }

  static async listen(options: TcpForwardOptions): Promise<TcpForward> {
    if (options.maxConnections !== undefined) checkMaxConnections(options.maxConnections);
    // allowHalfOpen: a client that shuts down its sending side still gets the rest of the answer. No
    // server.maxConnections: Node would close the excess silently; `accept` refuses it, counted and logged.
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const forward = new TcpForward(server, options);
    server.on('connection', (socket) => void forward.accept(socket));
    const port = await listenLoopback(server, options.port ?? 0);
    Object.defineProperty(forward, 'port', { value: port });
    return forward;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Stops accepting, lets open connections finish until the bound (default 10 s), then cuts what is left. */
  async close(bound: CloseBound = {}): Promise<void> {
    await drainServer(this.server, this.sockets, deadlineOf(bound, 10_000));
  }

  /** Cuts every connection now. */
  async destroy(): Promise<void> {
    await closeServer(this.server, this.sockets);
  }

  private async accept(client: Socket): Promise<void> {
    const started = performance.now();
    client.on('error', () => undefined);
    if (this.active >= this.maxConnections) {
      // At once and with a reset: nothing of the refused connection reaches the proxy or the tunnel.
      client.resetAndDestroy();
      this.refusals.refused();
      this.options.onConnection?.({ durationMs: 0, bytesIn: 0, bytesOut: 0, error: ErrorCode.ForwardBusy });
      return;
    }
    this.active++;
    this.track(client);
    client.setKeepAlive(true, 30_000);
    let upstream: Socket;
    try {
      upstream = await this.openUpstream();
    } catch (error) {
      this.active--;
      const message = isBtpError(error) ? error.message : String(error);
      this.logger.warn(`TCP connection failed: ${redactText(message)}`);
      // A reset, not a FIN: the client must not mistake the refusal for an empty answer.
      client.resetAndDestroy();
      this.options.onConnection?.({
        durationMs: performance.now() - started,
        bytesIn: 0,
        bytesOut: 0,
        error: isBtpError(error) ? error.code : ErrorCode.UpstreamFailed,
      });
      return;
    }
    // The slot is free again only when the upstream is gone, not when the client is: a client that connects and
    // leaves at once must not pile up connection attempts behind the limit.
    upstream.once('close', () => this.active--);
    this.track(upstream);
    upstream.setKeepAlive(true, 30_000);
    let failure: string | undefined;
    // pipe() ends the other side on 'end' (half-close); an error (reset) on one side resets the other, so a
    // half-open client learns of it too instead of waiting forever.
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code ?? ErrorCode.UpstreamFailed;
      client.resetAndDestroy();
    });
    client.on('error', () => upstream.resetAndDestroy());
    client.on('close', () => upstream.destroy());
    // The client left while the upstream was being opened: its 'close' has passed already.
    if (client.destroyed) upstream.destroy();
    upstream.on('close', () => {
      if (!client.writableEnded) client.end();
      // The sockets count their own bytes: no per-chunk listener on the hot path.
      this.options.onConnection?.({
        durationMs: performance.now() - started,
        bytesIn: client.bytesRead,
        bytesOut: client.bytesWritten,
        ...(failure ? { error: failure } : {}),
      });
    });
    upstream.pipe(client);
    client.pipe(upstream);
    client.resume();
  }

  private async openUpstream(): Promise<Socket> {
    const resolved = await this.options.resolver.get();
    const target = tcpTargetOf(resolved.name, resolved.destination);
    if (proxyTypeOf(resolved.destination) !== 'OnPremise') {
      return new Promise((resolve, reject) => {
        const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
        socket.once('connect', () => resolve(socket));
        socket.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            new BtpError(
              ErrorCode.BackendUnreachable,
              `${target.host}:${target.port} of destination "${resolved.name}" could not be reached (${error.code ?? error.message}).`,
              { cause: error },
            ),
          ),
        );
      });
    }
    const connectivity = this.options.connectivity;
    if (!connectivity) {
      throw new BtpError(ErrorCode.InvalidInput, `Destination "${resolved.name}" is OnPremise: connect a connectivity service key to reach it.`, {
        field: 'connectivity',
      });
    }
    const token = await connectivity.token();
    const locationId = locationIdOf(resolved.destination);
    try {
      return await connectSocks5({ proxy: connectivity.socks5Proxy(), token: token.accessToken, target, ...(locationId ? { locationId } : {}) });
    } catch (error) {
      if (!isBtpError(error, ErrorCode.ConnectivityAuthRejected)) throw error;
      // The token may have been revoked early: one fresh attempt.
      connectivity.invalidate(token);
      const fresh = await connectivity.token();
      return connectSocks5({ proxy: connectivity.socks5Proxy(), token: fresh.accessToken, target, ...(locationId ? { locationId } : {}) });
    }
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
