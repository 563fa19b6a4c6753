import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { OutboundNetwork, dropWarmConnections, type LookupFunction } from './outbound';
import type { ProxyEndpoint } from './proxySettings';
import { splitPem } from './systemCertificates';
import { localhostLookup } from './localhostLookup';

export type { LookupFunction } from './outbound';

export interface HttpAgentsOptions {
  /** Proxy and trust of this machine (CLI: environment and flags; extension: VS Code settings). Default: direct, Node's CAs. */
  readonly network?: OutboundNetwork;
  /** An extra trusted CA certificate (PEM) next to the network's, e.g. the sandbox CA. */
  readonly extraCaPem?: string;
  /** Per-request budget for connecting and receiving headers; bodies get the same budget between chunks. */
  readonly timeoutMs?: number;
  /** Host resolution for direct connections; default: `*.localhost` to loopback (RFC 6761), else the system's. */
  readonly lookup?: LookupFunction;
}

/**
 * Owns the undici dispatchers (keep-alive pools) for the services' HTTP: one for ordinary TLS and one per X.509
 * client identity (mTLS token requests), each through the network's proxy where it applies. Closing it closes
 * every pool.
 */
export class HttpAgents {
  readonly timeoutMs: number;
  private machineNetwork: OutboundNetwork;
  /** The machine's network plus `extraCaPem`: what this object's own pools use. */
  private currentNetwork: OutboundNetwork;
  private readonly extraCaPem: string | undefined;
  private readonly lookup: LookupFunction | undefined;
  private defaultAgent: Dispatcher | undefined;
  private readonly clientCertAgents = new Map<string, Dispatcher>();

  constructor(options: HttpAgentsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // Subscriber tenants of the sandbox get tokens at <subdomain>.localhost, which many system resolvers do not know.
    this.lookup = options.lookup ?? localhostLookup;
    this.extraCaPem = options.extraCaPem;
    this.machineNetwork = options.network ?? new OutboundNetwork();
    this.currentNetwork = this.withOwnCa(this.machineNetwork);
  }

  /**
   * The machine's network as given, without `extraCaPem`: what forwards use for destinations, so that a check of
   * a destination trusts what a forward to it trusts (the sandbox CA is for the services, not for destinations).
   */
  get network(): OutboundNetwork {
    return this.machineNetwork;
  }

  get default(): Dispatcher {
    this.defaultAgent ??= this.createAgent({});
    return this.defaultAgent;
  }

  /** The proxy a request to `url` goes through, or undefined when it goes directly. */
  route(url: string | URL): ProxyEndpoint | undefined {
    return this.currentNetwork.route(url);
  }

  /** A dispatcher that presents this client certificate; cached per certificate/key pair. */
  withClientCertificate(certificatePem: string, keyPem: string): Dispatcher {
    const id = createHash('sha256').update(certificatePem).update('\0').update(keyPem).digest('hex');
    let agent = this.clientCertAgents.get(id);
    if (!agent) {
      agent = this.createAgent({ cert: certificatePem, key: keyPem });
      this.clientCertAgents.set(id, agent);
    }
    return agent;
  }

  /**
   * Switches to another network (VS Code's proxy settings changed). Requests under way finish on the old pools;
   * the next ones get new pools, because callers ask for `default` per request.
   */
  async reconfigure(network: OutboundNetwork): Promise<void> {
    this.machineNetwork = network;
    this.currentNetwork = this.withOwnCa(network);
    await this.close();
  }

  async close(): Promise<void> {
    const agents = [this.defaultAgent, ...this.clientCertAgents.values()].filter((agent) => agent !== undefined);
    this.defaultAgent = undefined;
    this.clientCertAgents.clear();
    // A connection opened ahead and never used (a command that failed before its first request) must not hold the
    // process until its handshake ends.
    for (const agent of agents) dropWarmConnections(agent);
    await Promise.all(agents.map((agent) => agent.close()));
  }

  private withOwnCa(network: OutboundNetwork): OutboundNetwork {
    if (!this.extraCaPem) return network;
    const pems = splitPem(this.extraCaPem);
    return network.withCa({ source: 'sandbox CA', pems: pems.length > 0 ? pems : [this.extraCaPem] });
  }

  private createAgent(tls: { cert?: string; key?: string }): Dispatcher {
    return this.currentNetwork.dispatcher({
      tls,
      ...(this.lookup ? { lookup: this.lookup } : {}),
      connectTimeoutMs: this.timeoutMs,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }
}
