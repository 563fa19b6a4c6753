import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A link with a fixed one-way delay, on 127.0.0.1:0 → target: every chunk is passed on `oneWayMs` after it
 * arrived (in order, without serialising the waits, so throughput is not capped), and a new connection reaches the
 * target one round trip after it was accepted, as a TCP handshake over that link would. Both sockets are
 * `setNoDelay`: Nagle and delayed ACKs would otherwise add up to 40 ms of their own per exchange.
 */
export class DelayProxy {
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** When each connection was accepted (performance.now()), for the WAN report's breakdown of a cold start. */
  readonly accepted: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host?: string; port: number }, oneWayMs: number): Promise<DelayProxy> {
    const server = createServer({ allowHalfOpen: true, noDelay: true });
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 });
    await once(server, 'listening');
    const proxy = new DelayProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => proxy.link(client, { host: target.host ?? '127.0.0.1', port: target.port }, oneWayMs));
    return proxy;
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private link(client: Socket, target: { host: string; port: number }, oneWayMs: number): void {
    const accepted = performance.now();
    this.accepted.push(accepted);
    const upstream = connect({ ...target, noDelay: true, allowHalfOpen: true });
    client.setNoDelay(true);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Client → target: nothing may arrive before the emulated handshake is over (accepted + 1 round trip). One
    // queue per direction with one timer for its head keeps chunks in order whatever the timer rounding.
    const relay = (from: Socket, to: Socket, earliest: number) => {
      const queue: { at: number; chunk: Buffer | null }[] = [];
      let waiting = false;
      const drain = () => {
        waiting = false;
        while (queue.length && (queue[0]?.at ?? 0) <= performance.now()) {
          const { chunk } = queue.shift() as { chunk: Buffer | null };
          if (to.destroyed) return;
          if (chunk) to.write(chunk);
          else to.end();
        }
        const head = queue[0];
        if (head) {
          waiting = true;
          this.later(Math.max(0, head.at - performance.now()), drain);
        }
      };
      const push = (chunk: Buffer | null) => {
        queue.push({ at: Math.max(performance.now(), earliest) + oneWayMs, chunk });
        if (!waiting) {
          waiting = true;
          this.later(Math.max(0, (queue[0]?.at ?? 0) - performance.now()), drain);
        }
      };
      from.on('data', (chunk: Buffer) => push(chunk));
      from.once('end', () => push(null));
    };
    relay(client, upstream, accepted + 2 * oneWayMs);
    relay(upstream, client, 0);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
