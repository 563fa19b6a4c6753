import type { Socket } from 'node:net';
import type { OnPremiseNetwork } from './network';
import { parseProxyHeader, type ProxyHeaderInfo } from './proxyProtocol';

export interface ConnectorGateOptions {
  readonly network: OnPremiseNetwork;
  /** What a refused peer reads before the close (a 403 for HTTP, an ERR line for the line service); none for TLS. */
  readonly refusal?: Buffer;
}

/**
 * An admitted connection, positioned after the header: what follows is the peer's own byte stream. It comes
 * paused: a plain reader resumes it, TLS takes it over as it is (and reads what is buffered first).
 */
export type Admitted = (socket: Socket, info: ProxyHeaderInfo) => void;

/** The connector sends its header at once; a peer that sends nothing is dropped after this. */
const headerTimeoutMs = 10_000;

/** The sentence every refusal of a sandbox on-premise system carries. */
export const refusalText =
  'only through the Cloud Connector: this sandbox on-premise system takes connections from the sandbox Cloud Connector alone. Use a forward (btp-connect forward) or the connectivity proxy.';

/**
 * The door of a sandbox on-premise system: reads the PROXY v2 header every connection must start with and lets it
 * in only with the network's proof (see `OnPremiseNetwork`); anything else is answered with `refusal` and closed.
 */
export class ConnectorGate {
  private readonly pending = new Set<Socket>();

  constructor(private readonly options: ConnectorGateOptions) {}

  accept(socket: Socket, admitted: Admitted): void {
    this.pending.add(socket);
    socket.on('error', () => socket.destroy());
    socket.setTimeout(headerTimeoutMs, () => socket.destroy());
    let received: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const parsed = parseProxyHeader(received);
      if (parsed.kind === 'incomplete') return;
      socket.off('data', onData);
      if (parsed.kind !== 'header' || !this.options.network.admits(parsed.info)) return this.refuse(socket);
      this.pending.delete(socket);
      socket.setTimeout(0);
      // The bytes after the header belong to the system's own parser (HTTP, TLS, lines): back into the stream,
      // paused, or a flowing stream would hand them to nobody before that parser listens (TLS adds no listener).
      socket.pause();
      const rest = received.subarray(parsed.length);
      if (rest.length > 0) socket.unshift(rest);
      admitted(socket, parsed.info);
    };
    socket.on('data', onData);
    socket.once('close', () => this.pending.delete(socket));
  }

  /** Drops the connections still waiting for their header or being refused (the system is closing). */
  close(): void {
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
  }

  private refuse(socket: Socket): void {
    // Whatever else the peer sends is read and dropped: unread bytes would turn the close into a reset, and the
    // peer would lose the refusal. The header timeout still ends a peer that never closes.
    socket.resume();
    if (this.options.refusal) socket.end(this.options.refusal);
    else socket.end();
  }
}
