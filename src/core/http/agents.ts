import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';

export interface HttpAgentsOptions {
  /** Extra trusted CA certificates (PEM), added to Node's default roots, e.g. the sandbox CA. */
  readonly extraCaPem?: string;
  /** Per-request budget for connecting and receiving headers; bodies get the same budget between chunks. */
  readonly timeoutMs?: number;
  /** Host resolution override (the sandbox maps `*.localhost` to loopback). */
  readonly lookup?: LookupFunction;
}

export type LookupFunction = (
  hostname: string,
  options: object,
  callback: (error: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void,
) => void;

/**
 * Owns the undici dispatchers (keep-alive pools) for outbound HTTP: one for ordinary TLS and one per X.509
 * client identity (mTLS token requests). Closing it closes every pool.
 */
export class HttpAgents {
  readonly timeoutMs: number;
  private readonly ca: string[] | undefined;
  private readonly lookup: LookupFunction | undefined;
  private defaultAgent: Agent | undefined;
  private readonly clientCertAgents = new Map<string, Agent>();

  constructor(options: HttpAgentsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.lookup = options.lookup;
    // Passing `ca` replaces Node's roots; keep them so real services still verify next to an extra CA.
    this.ca = options.extraCaPem ? [...rootCertificates, options.extraCaPem] : undefined;
  }

  get default(): Dispatcher {
    this.defaultAgent ??= this.createAgent({});
    return this.defaultAgent;
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

  async close(): Promise<void> {
    const agents = [this.defaultAgent, ...this.clientCertAgents.values()].filter((agent) => agent !== undefined);
    this.defaultAgent = undefined;
    this.clientCertAgents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  private createAgent(tls: { cert?: string; key?: string }): Agent {
    return new Agent({
      connect: {
        ...tls,
        ...(this.ca ? { ca: this.ca } : {}),
        ...(this.lookup ? { lookup: this.lookup } : {}),
        timeout: this.timeoutMs,
      },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }
}
