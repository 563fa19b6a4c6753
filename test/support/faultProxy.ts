import { EventEmitter, once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1:0 that breaks the connection between two pieces on purpose (toxiproxy's toxics, in
 * process: toxiproxy has no Debian package and needs Go or Docker, see AC-23…27). Every toggle is a plain field
 * read per chunk, so a test can flip it while connections are open. `up` is client → target, `down` is
 * target → client.
 */
export type Direction = 'up' | 'down';

export interface FaultStats {
  /** Connections accepted so far, and those still open. */
  connections: number;
  active: number;
  /** Bytes forwarded, and bytes read but swallowed by the blackhole. */
  readonly bytes: Record<Direction, number>;
  readonly dropped: Record<Direction, number>;
  /** Chunks held back by a per-chunk latency, by direction. */
  readonly delayed: Record<Direction, number>;
  /** Connections the proxy reset, and those it closed with a FIN (idle cutoff, close-after). */
  resets: number;
  cuts: number;
}

interface Link {
  readonly client: Socket;
  readonly target: Socket;
  readonly forwarded: Record<Direction, number>;
  /** Sleeps of latency and drip, ended early (false) on teardown so that no timer outlives the link. */
  readonly timers: Map<NodeJS.Timeout, () => void>;
  idle?: NodeJS.Timeout | undefined;
  done: boolean;
}

/** Events: `connection` (accepted), `cut` (closed with a FIN by the proxy, with the reason), `drained` (no link left). */
export class FaultProxy extends EventEmitter<{ connection: []; cut: [reason: string]; drained: [] }> {
  /** Delay before each chunk is forwarded (chunks stay in order), or once before the target is dialled. */
  latency: { readonly ms: number; readonly per: 'chunk' | 'connection'; readonly only?: Direction } | undefined;
  /** Accepts and reads, forwards nothing (a dead network path that still ACKs). */
  blackhole = false;
  /** After this many bytes forwarded in a direction, the connection is closed with a FIN on both sides. */
  closeAfter: Partial<Record<Direction, number>> = {};
  /** Forwards `bytes` at a time, one piece per `intervalMs` (a slow link); both directions unless `only`. */
  drip: { readonly bytes: number; readonly intervalMs: number; readonly only?: Direction } | undefined;
  readonly stats: FaultStats = {
    connections: 0,
    active: 0,
    bytes: { up: 0, down: 0 },
    dropped: { up: 0, down: 0 },
    delayed: { up: 0, down: 0 },
    resets: 0,
    cuts: 0,
  };

  private idleMs: number | undefined;
  private resetCount = 0;
  private closing = false;
  private readonly links = new Set<Link>();
  /** Clients waiting out a per-connection latency, and those waits. */
  private readonly held = new Set<Socket>();
  private readonly heldTimers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly target: { readonly host: string; readonly port: number },
    readonly port: number,
  ) {
    super();
  }

  static async start(target: { host?: string; port: number }): Promise<FaultProxy> {
    // Half-open on both sides: a FIN in one direction must not close the other (that is what we pass on).
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const proxy = new FaultProxy(server, { host: target.host ?? '127.0.0.1', port: target.port }, (server.address() as AddressInfo).port);
    server.on('connection', (client: Socket) => void proxy.accept(client));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes connections quiet (no byte either way) for this long with a FIN; also re-arms open connections. */
  get idleCutoffMs(): number | undefined {
    return this.idleMs;
  }

  set idleCutoffMs(ms: number | undefined) {
    this.idleMs = ms;
    for (const link of this.links) this.armIdle(link);
  }

  /** Resets every open connection now, on both sides (RST, not FIN). */
  resetAll(): void {
    for (const link of this.links) this.reset(link);
  }

  /** Closes every open connection now with a FIN on both sides (a middlebox that gives up cleanly). */
  cutAll(): void {
    for (const link of this.links) if (!link.done) this.cut(link, 'cut');
  }

  /** Resets the next `count` connections as soon as both their sides stand (Infinity: all, 0: stop). */
  resetNext(count = 1): void {
    this.resetCount = count;
  }

  /** Resolves once `condition(stats)` holds, checked whenever a counter moves (no polling); rejects after `timeoutMs`. */
  async until(condition: (stats: FaultStats) => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition(this.stats)) return;
    let check: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        check = () => condition(this.stats) && resolve();
        this.waiters.add(check);
        timer = setTimeout(() => reject(new Error(`fault proxy: condition not met in ${timeoutMs} ms (${JSON.stringify(this.stats)})`)), timeoutMs);
      });
    } finally {
      this.waiters.delete(check);
      clearTimeout(timer);
    }
  }

  /** Stops listening and destroys every connection and timer: nothing of the proxy keeps the process alive. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const timer of this.heldTimers) clearTimeout(timer);
    for (const client of this.held) client.destroy();
    for (const link of this.links) {
      link.client.destroy();
      link.target.destroy();
      this.teardown(link);
    }
    await closed;
    // The server is closed once its accepted sockets are; the dialled ones report a moment later.
    if (this.links.size > 0) await new Promise<void>((resolve) => this.once('drained', resolve));
  }

  private async accept(client: Socket): Promise<void> {
    this.stats.connections++;
    this.changed();
    client.on('error', () => undefined);
    if (this.latency?.per === 'connection') {
      // Held before the target is dialled (a slow handshake); a proxy closed meanwhile drops the client.
      this.held.add(client);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (this.heldTimers.delete(timer), resolve()), this.latency?.ms ?? 0);
        this.heldTimers.add(timer);
      });
      this.held.delete(client);
    }
    if (this.closing) return void client.destroy();
    const target = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    target.on('error', () => undefined);
    const link: Link = { client, target, forwarded: { up: 0, down: 0 }, timers: new Map(), done: false };
    this.links.add(link);
    this.stats.active++;
    // A target that refuses or resets gets the same answer passed to the client, and the other way round.
    target.once('error', () => rst(client));
    client.once('error', () => rst(target));
    let closedSides = 0;
    const sideClosed = () => ++closedSides === 2 && this.teardown(link);
    client.once('close', sideClosed);
    target.once('close', sideClosed);
    target.once('connect', () => {
      if (this.resetCount > 0) {
        this.resetCount--;
        return this.reset(link);
      }
      this.pump(link, 'up', client, target);
      this.pump(link, 'down', target, client);
      this.armIdle(link);
      client.resume();
    });
    this.emit('connection');
  }

  /** One direction: a chunk at a time, the source paused meanwhile, so slow faults are real backpressure. */
  private pump(link: Link, direction: Direction, from: Socket, to: Socket): void {
    let inFlight = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      link.idle?.refresh();
      from.pause();
      // After a cut the source keeps flowing into nothing: unread bytes at close would turn the FIN into a RST.
      inFlight = this.deliver(link, direction, to, chunk).then(
        () => void from.resume(),
        () => void (!link.done && this.reset(link)),
      );
    });
    // The FIN goes on after the bytes before it (toxics delay them, not the end of the stream).
    from.on('end', () => void inFlight.then(() => !link.done && to.end()));
  }

  private async deliver(link: Link, direction: Direction, to: Socket, chunk: Buffer): Promise<void> {
    if (link.done) return;
    if (this.blackhole) {
      this.stats.dropped[direction] += chunk.length;
      return this.changed();
    }
    const latency = this.latency?.per === 'chunk' && (this.latency.only ?? direction) === direction ? this.latency.ms : 0;
    if (latency > 0) {
      this.stats.delayed[direction]++;
      if (!(await this.sleep(link, latency))) return;
    }
    let data = chunk;
    const limit = this.closeAfter[direction];
    const room = limit === undefined ? Infinity : limit - link.forwarded[direction];
    if (data.length > room) data = data.subarray(0, Math.max(0, room));
    const drip = this.drip && (this.drip.only ?? direction) === direction ? this.drip : undefined;
    const step = drip ? Math.max(1, drip.bytes) : data.length;
    for (let offset = 0; offset < data.length && !link.done; offset += step) {
      if (drip && !(await this.sleep(link, drip.intervalMs))) return;
      const piece = data.subarray(offset, offset + step);
      link.forwarded[direction] += piece.length;
      this.stats.bytes[direction] += piece.length;
      const flushed = to.write(piece);
      this.changed();
      if (!flushed) await drained(to);
    }
    if (link.forwarded[direction] >= (limit ?? Infinity) && !link.done) this.cut(link, `close after ${limit} bytes ${direction}`);
  }

  /** Resolves true after `ms`, or false as soon as the link is torn down. */
  private sleep(link: Link, ms: number): Promise<boolean> {
    if (link.done) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => (link.timers.delete(timer), resolve(!link.done)), ms);
      link.timers.set(timer, () => resolve(false));
    });
  }

  private armIdle(link: Link): void {
    clearTimeout(link.idle);
    link.idle = undefined;
    if (this.idleMs !== undefined && !link.done) link.idle = setTimeout(() => this.cut(link, `idle for ${this.idleMs} ms`), this.idleMs);
  }

  private cut(link: Link, reason: string): void {
    this.stats.cuts++;
    this.changed();
    // FIN after what is already queued, then the sockets go.
    link.client.end(() => link.client.destroy());
    link.target.end(() => link.target.destroy());
    this.emit('cut', reason);
    this.teardown(link);
  }

  private reset(link: Link): void {
    this.stats.resets++;
    this.changed();
    rst(link.client);
    rst(link.target);
    this.teardown(link);
  }

  /** Marks a link finished once (both sockets closed, or the proxy gave up on it) and drops its timers. */
  private teardown(link: Link): void {
    if (link.done) return;
    link.done = true;
    clearTimeout(link.idle);
    for (const [timer, wake] of link.timers) {
      clearTimeout(timer);
      wake();
    }
    link.timers.clear();
    // A proxy-initiated close still waits for the sockets: `active` counts open sockets, not live links.
    const sockets = [link.client, link.target].filter((socket) => !socket.closed);
    let open = sockets.length;
    const gone = () => {
      if (--open > 0) return;
      this.links.delete(link);
      this.stats.active--;
      this.changed();
      if (this.links.size === 0) this.emit('drained');
    };
    if (open === 0) return void ((open = 1), gone());
    for (const socket of sockets) socket.once('close', gone);
  }

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Resolves when the socket can take more, or is gone (never rejects: a failed socket ends the link elsewhere). */
function drained(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => (socket.off('drain', done), socket.off('close', done), resolve());
    socket.on('drain', done).on('close', done);
  });
}

/**
 * RST where Node can send one: `resetAndDestroy()` while a shutdown (our FIN) is still queued fails with EINVAL and
 * leaks the handle (Node 20), so such a socket is reset once the FIN is out.
 */
function rst(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded && !socket.writableFinished) socket.once('finish', () => socket.resetAndDestroy());
  else socket.resetAndDestroy();
}
