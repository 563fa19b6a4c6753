import { createHash } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { Dispatcher } from 'undici';
import { dropWarmConnections, warmConnection, type OutboundNetwork } from '../http/outbound';
import { upstreamTlsOf, type UpstreamTls } from './destinationTarget';
import type { Resolved } from './resolver';

/**
 * Keep-alive pools to Internet upstreams, one per TLS configuration (trust store, client keystore, TrustAll),
 * so that a destination whose certificates change gets a new pool and the others keep theirs.
 */
export class UpstreamAgents {
  private readonly agents = new Map<string, Dispatcher>();
  /** The agent of a resolution, so that TLS settings are hashed once per resolution, not per request. */
  private byResolved = new WeakMap<Resolved, Dispatcher>();

  /**
   * `network`: the proxy and the machine's CAs for destinations without a trust store of their own;
   * `connections`: per pool, i.e. per TLS configuration (the forward's `maxConnections`).
   */
  constructor(
    private readonly headersTimeoutMs: number,
    private readonly network: OutboundNetwork,
    private readonly connections = 256,
  ) {}

  tlsFor(resolved: Resolved): UpstreamTls {
    return upstreamTlsOf(resolved.destination, resolved.certificates);
  }

  /**
   * Raw TLS options for sockets the forward opens itself (WebSocket upgrades): the destination's own trust store
   * when it has one (as BTP does), else the machine's CAs as the pools use them.
   */
  socketTlsFor(resolved: Resolved): ConnectionOptions {
    const { ca, rejectUnauthorized, ...identity } = this.tlsFor(resolved);
    if (ca !== undefined) return { ca, rejectUnauthorized, ...identity };
    return { rejectUnauthorized, ...this.network.trust.tlsOptions(identity) };
  }

  /** A CONNECT tunnel through the outbound proxy for a socket to `url`; undefined when it is reached directly. */
  tunnel(url: URL, timeoutMs: number): ReturnType<OutboundNetwork['tunnel']> {
    return this.network.tunnel(url, timeoutMs);
  }

  forResolved(resolved: Resolved): Dispatcher {
    const known = this.byResolved.get(resolved);
    if (known) return known;
    const tls = this.tlsFor(resolved);
    const key = fingerprint(tls);
    let agent = this.agents.get(key);
    if (!agent) {
      agent = this.network.dispatcher({
        tls,
        connectTimeoutMs: 15_000,
        connections: this.connections,
        keepAliveTimeout: 10_000,
        headersTimeout: this.headersTimeoutMs,
        bodyTimeout: 300_000,
      });
      this.agents.set(key, agent);
    }
    this.byResolved.set(resolved, agent);
    return agent;
  }

  /**
   * Opens the connection (TCP and TLS) the first request to this destination will use, while the forward starts:
   * a handshake less for that request. Nothing is sent on it until a request comes.
   */
  warm(resolved: Resolved, origin: string): boolean {
    return warmConnection(this.forResolved(resolved), origin);
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    this.byResolved = new WeakMap();
    for (const agent of agents) dropWarmConnections(agent);
    await Promise.all(agents.map((agent) => agent.close()));
  }
}

function fingerprint(tls: UpstreamTls): string {
  const hash = createHash('sha256');
  for (const value of [tls.ca, tls.cert, tls.key, tls.passphrase, String(tls.rejectUnauthorized)]) hash.update(`${value ?? ''}\0`);
  if (tls.pfx) hash.update(tls.pfx);
  return hash.digest('hex');
}
