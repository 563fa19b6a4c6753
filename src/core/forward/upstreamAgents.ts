import { createHash } from 'node:crypto';
import { Agent } from 'undici';
import { upstreamTlsOf, type UpstreamTls } from './destinationTarget';
import type { Resolved } from './resolver';

/**
 * Keep-alive pools to Internet upstreams, one per TLS configuration (trust store, client keystore, TrustAll),
 * so that a destination whose certificates change gets a new pool and the others keep theirs.
 */
export class UpstreamAgents {
  private readonly agents = new Map<string, Agent>();
  /** The agent of a resolution, so that TLS settings are hashed once per resolution, not per request. */
  private byResolved = new WeakMap<Resolved, Agent>();

  /** `connections`: per pool, i.e. per TLS configuration; the forward's `maxConnections` once HttpForward passes it. */
  constructor(
    private readonly headersTimeoutMs: number,
    private readonly connections = 256,
  ) {}

  tlsFor(resolved: Resolved): UpstreamTls {
    return upstreamTlsOf(resolved.destination, resolved.certificates);
  }

  forResolved(resolved: Resolved): Agent {
    const known = this.byResolved.get(resolved);
    if (known) return known;
    const tls = this.tlsFor(resolved);
    const key = fingerprint(tls);
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: { ...tls, timeout: 15_000 },
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
