import { isIP, type Socket } from 'node:net';
import type { buildConnector } from 'undici';

type Connector = buildConnector.connector;
type ConnectOptions = buildConnector.Options;
type Callback = buildConnector.Callback;

/** One connection opened ahead of use: still connecting (`socket` set, `ready` false) or idle and usable. */
interface Spare {
  readonly key: string;
  readonly socket: Socket;
  ready: boolean;
  /** The pool's connect that took the spare while it was still connecting. */
  waiter?: { readonly options: ConnectOptions; readonly callback: Callback };
  timer?: NodeJS.Timeout;
  readonly drop: () => void;
  /** Stops watching an idle spare, before it is handed out. */
  release?: () => void;
}

/**
 * undici's connector with one connection per origin opened ahead of the first request: undici's pools have no
 * way to connect without a request, so `warm(origin)` opens the socket (TCP, and TLS for https) through the same
 * connector the pool uses, and the pool's first connect to that origin gets it. Nothing is written on it before
 * a request of the user's: no bytes, no credentials. A spare nobody takes within `idleMs`, or that the server
 * closes, is destroyed and not replaced: warming costs one connection at most per `warm` call.
 */
export class WarmConnector {
  private readonly spares = new Map<string, Spare>();

  constructor(
    private readonly base: Connector,
    private readonly idleMs: number,
  ) {}

  /** The connector to give undici (`connect` of a Pool, Agent or Client). */
  readonly connect: Connector = (options, callback) => {
    const spare = this.take(keyOf(options.protocol, options.hostname, options.port, options.servername));
    if (!spare) return this.base(options, callback);
    if (spare.ready) {
      // Never from within the call: undici's client is still in its resume loop and would not see the socket.
      process.nextTick(() => (spare.socket.destroyed ? this.base(options, callback) : callback(null, spare.socket)));
      return spare.socket;
    }
    // Still connecting (the request came within the handshake): it gets this connection when it is up.
    spare.waiter = { options, callback };
    return spare.socket;
  };

  /**
   * Opens a connection to `origin` unless one is already spare. Returns whether it started one. Failures are
   * silent: the first request then connects as it would have without warming, and reports its own error. `tcp`: a
   * TCP connection to that host and port opened earlier (by the CLI's entry), on which TLS goes for https.
   */
  warm(origin: string | URL, tcp?: Socket): boolean {
    const url = typeof origin === 'string' ? new URL(origin) : origin;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    // As undici names the server: the host name, none for an IP address (RFC 6066).
    const servername = url.protocol === 'https:' && isIP(hostname) === 0 ? hostname : undefined;
    const key = keyOf(url.protocol, hostname, url.port, servername);
    if (this.spares.has(key)) {
      tcp?.destroy();
      return false;
    }
    // The connector calls back later (on connect or error), when the spare below exists.
    const pending: { spare?: Spare } = {};
    const settle = (error: Error | null) => (pending.spare ? this.settled(pending.spare, error) : undefined);
    let socket: Socket | undefined;
    try {
      const options = { protocol: url.protocol, hostname, host: url.host, port: url.port, ...(servername ? { servername } : {}) };
      // An early plain-http connection is the spare as it is; TLS goes on top of one for https (undici's httpSocket).
      if (tcp && url.protocol !== 'https:') socket = adoptTcp(tcp, settle);
      else socket = this.base({ ...options, ...(tcp ? { httpSocket: tcp } : {}) }, (...[error]) => settle(error)) as unknown as Socket | undefined;
    } catch {
      tcp?.destroy();
      return false;
    }
    if (!socket) return false;
    const opened = socket;
    const spare: Spare = {
      key,
      socket: opened,
      ready: false,
      drop: () => {
        if (this.spares.get(key) === spare) this.spares.delete(key);
        clearTimeout(spare.timer);
        opened.destroy();
      },
    };
    pending.spare = spare;
    this.spares.set(key, spare);
    return true;
  }

  /** Destroys every spare not handed out yet. */
  close(): void {
    for (const spare of [...this.spares.values()]) spare.drop();
  }

  private settled(spare: Spare, error: Error | null): void {
    const waiter = spare.waiter;
    if (error) {
      if (this.spares.get(spare.key) === spare) this.spares.delete(spare.key);
      spare.socket.destroy();
      // The pool's connect that waited for it tries on its own, as if there had been no spare.
      if (waiter) this.base(waiter.options, waiter.callback);
      return;
    }
    spare.ready = true;
    if (waiter) {
      waiter.callback(null, spare.socket);
      return;
    }
    this.idle(spare);
  }

  /** Watches an idle spare: a close, an error, an end or any byte from the server (none is due) retires it. */
  private idle(spare: Spare): void {
    const { socket } = spare;
    const retire = () => spare.drop();
    const onReadable = () => {
      if (socket.read() !== null || socket.readableEnded) retire();
    };
    socket.on('error', retire).on('close', retire).on('end', retire).on('readable', onReadable);
    spare.timer = setTimeout(retire, this.idleMs).unref();
    // A spare alone keeps no process alive.
    socket.unref();
    // Handed over: the pool's client attaches its own listeners.
    spare.release = () => {
      clearTimeout(spare.timer);
      socket.ref();
      socket.off('error', retire).off('close', retire).off('end', retire).off('readable', onReadable);
    };
  }

  private take(key: string): Spare | undefined {
    const spare = this.spares.get(key);
    if (!spare) return undefined;
    this.spares.delete(key);
    if (spare.ready) {
      spare.release?.();
      if (spare.socket.destroyed || !spare.socket.writable) return undefined;
    }
    return spare;
  }
}

/** A TCP connection opened elsewhere (the CLI's entry) as a plain-http spare: settled when it is up, or failed. */
function adoptTcp(socket: Socket, settle: (error: Error | null) => void): Socket {
  if (!socket.connecting) {
    process.nextTick(() => settle(socket.destroyed ? new Error('the connection closed') : null));
    return socket;
  }
  const onError = (error: Error) => {
    socket.off('connect', onConnect);
    settle(error);
  };
  const onConnect = () => {
    socket.off('error', onError);
    settle(null);
  };
  socket.once('connect', onConnect).once('error', onError);
  return socket;
}

/**
 * A spare serves a connect to the same place and, for TLS, the same server name its certificate was checked for:
 * as undici's connector names it, the one asked for, else the host name (none for an IP address, RFC 6066).
 */
function keyOf(protocol: string, hostname: string, port: string, servername: string | null | undefined): string {
  const https = protocol === 'https:';
  const name = servername || (isIP(hostname) === 0 ? hostname : '');
  return `${protocol}//${hostname}:${port || (https ? '443' : '80')}/${https ? name : ''}`;
}
