import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { defaultNetwork, type OutboundNetwork } from '../http/outbound';
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

  /** `network`: the proxy and the machine's CAs for destinations without a trust store of their own. */
  constructor(
    private readonly headersTimeoutMs: number,
    private readonly network: OutboundNetwork = defaultNetwork(),
  ) {}

  tlsFor(resolved: Resolved): UpstreamTls {
    return upstreamTlsOf(resolved.destination, resolved.certificates);
  }

  forResolved(resolved: Resolved): Dispatcher {
    const known = this.byResolved.get(resolved);
    if (known) return known;
    const tls = this.tlsFor(resolved);
    const key = fingerprint(tls);
    let agent = this.agents.get(key);
    if (!agent) {
      agent = this.network.dispatcher({ tls, connectTimeoutMs: 15_000, connections: 256, keepAliveTimeout: 10_000, headersTimeout: this.headersTimeoutMs, bodyTimeout: 300_000 });
      this.agents.set(key, agent);
    }
    this.byResolved.set(resolved, agent);
    return agent;
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    this.byResolved = new WeakMap();
    await Promise.all(agents.map((agent) => agent.close()));
  }
}

function fingerprint(tls: UpstreamTls): string {
  const hash = createHash('sha256');
  for (const value of [tls.ca, tls.cert, tls.key, tls.passphrase, String(tls.rejectUnauthorized)]) hash.update(`${value ?? ''}\0`);
  if (tls.pfx) hash.update(tls.pfx);
  return hash.digest('hex');
}
