import { connect as connectTcp } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';
import type { LookupFunction } from './outbound';
import { buildConnector } from './undici';

type Connector = BuildConnector.connector;

export interface TcpFirstOptions {
  readonly lookup?: LookupFunction;
  readonly timeout: number;
}

/**
 * undici's connector, with the TLS options (`tls()`: the machine's trust, a client identity) made when the first
 * https connection needs them, after its TCP handshake has started. Reading the OS trust store and building a
 * context cost a cold process ~30 ms of CPU: done while the SYN is on its way they cost no wall time on a network
 * with a longer round trip, and an http:// service (the sandbox) never pays them.
 */
export function tcpFirstConnector(options: TcpFirstOptions, tls: () => object): Connector {
  const base = { ...(options.lookup ? { lookup: options.lookup } : {}), timeout: options.timeout };
  const plain = buildConnector(base);
  let secure: Connector | undefined;
  const secureConnector = () => (secure ??= buildConnector({ ...base, ...tls() }));
  return (connectOptions, callback) => {
    if (connectOptions.protocol !== 'https:') return plain(connectOptions, callback);
    // Upgrading a socket someone else opened (a tunnel): nothing to start first.
    if (connectOptions.httpSocket) return secureConnector()(connectOptions, callback);
    const host = connectOptions.hostname.startsWith('[') ? connectOptions.hostname.slice(1, -1) : connectOptions.hostname;
    const socket = connectTcp({
      host,
      port: Number(connectOptions.port || 443),
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(connectOptions.localAddress ? { localAddress: connectOptions.localAddress } : {}),
    });
    // undici's TLS connector wraps it (its errors reach the TLS socket) and keeps its own connect timeout.
    return secureConnector()({ ...connectOptions, httpSocket: socket }, callback);
  };
}
