import { connect, createServer, type Server, type Socket } from 'node:net';
import { BtpError, ErrorCode } from '../errors';
import type { Logger } from '../log';
import { describePortOwner } from './portOwner';
import type { TunnelEndpoint } from './types';

const loopback = '127.0.0.1';

/**
 * The local ports the user connects to. They belong to us, not to the child, so they stay bound while a child
 * is replaced: connections are piped into the current child's port, and refused at once while there is none.
 */
export class LocalListeners {
  /** When a client last connected or a byte last went through (Date.now()); the keep-alive waits for quiet. */
  lastTrafficAt = 0;
  private childPorts: readonly number[] | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly servers: Server[] = [];
  private readonly bound: TunnelEndpoint[] = [];

  private constructor(private readonly log: Logger) {}

  /** Binds every port on 127.0.0.1 (0 = any free port); a taken port closes the others and throws `PortInUse`. */
  static async bind(ports: readonly number[], log: Logger): Promise<LocalListeners> {
    const listeners = new LocalListeners(log);
    try {
      for (const [index, port] of ports.entries()) {
        // allowHalfOpen: a client that shuts its write side still gets the whole answer.
        const server = createServer({ allowHalfOpen: true }, (socket) => listeners.accept(index, socket));
        listeners.servers.push(server);
        listeners.bound.push({ host: loopback, port: await listen(server, port) });
      }
    } catch (error) {
      await listeners.close();
      throw error;
    }
    return listeners;
  }

  get endpoints(): readonly TunnelEndpoint[] {
    return this.bound;
  }

  /** Where connections go from now on; `undefined` refuses new ones and cuts the ones in flight. */
  route(childPorts: readonly number[] | undefined): void {
    this.childPorts = childPorts;
    if (childPorts === undefined) {
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    }
  }

  async close(): Promise<void> {
    this.route(undefined);
    await Promise.all(this.servers.map(closeServer));
  }

  private accept(index: number, client: Socket): void {
    const childPort = this.childPorts?.[index];
    if (childPort === undefined) {
      // The tunnel is down: an immediate RST tells the client so, instead of a connection that hangs.
      client.on('error', () => undefined);
      client.resetAndDestroy();
      this.log.debug(`refused a connection on port ${this.endpoints[index]?.port}: the tunnel is not ready`);
      return;
    }
    // TCP keep-alive notices a client that vanished without a FIN (sleeping laptop, dropped VPN).
    client.setNoDelay(true);
    client.setKeepAlive(true, 30_000);
    const upstream = connect({ host: loopback, port: childPort, allowHalfOpen: true });
    upstream.setNoDelay(true);
    const touch = () => (this.lastTrafficAt = Date.now());
    touch();
    client.on('data', touch);
    upstream.on('data', touch);
    this.sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

async function listen(server: Server, port: number): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, loopback, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      throw new BtpError(ErrorCode.TunnelFailed, `Cannot listen on ${loopback}:${port}: ${(error as Error).message}.`, { cause: error, details: { port } });
    }
    const owner = await describePortOwner(port);
    throw new BtpError(
      ErrorCode.PortInUse,
      `Port ${port} on ${loopback} is in use${owner ? ` by ${owner}` : ' by another program'}; stop that program or choose another local port. No tunnel was started.`,
      { cause: error, details: { port, ...(owner ? { owner } : {}) } },
    );
  }
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}
