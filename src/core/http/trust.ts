import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { readSystemCertificates, type SystemCertificates } from './systemCertificates';

/** CA certificates from one place, e.g. `--ca ca.pem`, `NODE_EXTRA_CA_CERTS /etc/corp.pem`, `sandbox CA`. */
export interface CaSource {
  readonly source: string;
  readonly pems: readonly string[];
}

export interface TrustOptions {
  /** NODE_EXTRA_CA_CERTS, the configured CA files, the sandbox CA: in the order they are named in messages. */
  readonly extra?: readonly CaSource[];
  /** Add the OS trust store (corporate TLS-inspection roots live there). */
  readonly systemCa?: boolean;
  /** For SSL_CERT_FILE (where the OS store is read from a bundle). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A client identity for TLS (mTLS token requests, a destination's keystore). */
export interface ClientIdentity {
  readonly cert?: string;
  readonly key?: string;
  readonly pfx?: Buffer;
  readonly passphrase?: string;
}

/**
 * What outbound TLS trusts: Node's bundled CAs, NODE_EXTRA_CA_CERTS, the OS store when asked, and CA files.
 * Passing `ca` to a TLS connection replaces Node's store, NODE_EXTRA_CA_CERTS included (what `--ca` did before):
 * here the extras are added to Node's store instead, and the context is built once and shared, not per connection.
 */
export class Trust {
  private computed: { extras: string[]; system?: SystemCertificates } | undefined;
  private defaultContext: SecureContext | undefined;

  constructor(private readonly options: TrustOptions = {}) {}

  /** A trust that also takes `source` (the sandbox's CA next to the machine's). */
  with(source: CaSource): Trust {
    return new Trust({ ...this.options, extra: [...(this.options.extra ?? []), source] });
  }

  /** Certificates trusted besides Node's bundled ones, without duplicates; empty when Node's own store is the trust. */
  extras(): readonly string[] {
    return this.compute().extras;
  }

  /** One line for logs and messages: every source and how many CAs it gave. */
  describe(): string {
    const { system } = this.compute();
    const parts = [`Node's CAs (${rootCertificates.length})`, ...(this.options.extra ?? []).map((extra) => `${extra.source} (${extra.pems.length})`)];
    if (this.options.systemCa) parts.push(system?.available ? `OS store ${system.source} (${system.pems.length})` : (system?.source ?? 'no OS store'));
    return parts.join(', ');
  }

  /**
   * TLS connection options that trust all of it and present `identity`. Node's default context when nothing is
   * added (cheapest). Otherwise a context that starts from Node's own store (bundled CAs and the
   * NODE_EXTRA_CA_CERTS it loaded at start-up, parsed once per process) and gets the extras added, which costs
   * milliseconds where a `ca` list of ~150 CAs costs tens of them per context. A context that cannot be built (a
   * wrong keystore password) falls back to plain options, so the error comes with the connection, as before.
   */
  tlsOptions(identity: ClientIdentity = {}): ClientIdentity & { ca?: string[]; secureContext?: SecureContext } {
    const extras = this.extras();
    if (extras.length === 0) return { ...identity };
    const plain = identity.cert === undefined && identity.key === undefined && identity.pfx === undefined;
    if (plain && this.defaultContext) return { secureContext: this.defaultContext };
    try {
      const secureContext = createSecureContext({ ...identity });
      const native = (secureContext as { context?: { addCACert?: (pem: string) => void } }).context;
      if (typeof native?.addCACert !== 'function') return { ...identity, ca: [...rootCertificates, ...extras] };
      for (const pem of extras) native.addCACert(pem);
      if (plain) this.defaultContext = secureContext;
      return { secureContext };
    } catch {
      return { ...identity, ca: [...rootCertificates, ...extras] };
    }
  }

  private compute(): { extras: string[]; system?: SystemCertificates } {
    if (this.computed) return this.computed;
    const seen = new Set(rootCertificates.map(body));
    const extras: string[] = [];
    const add = (pem: string) => {
      const key = body(pem);
      if (seen.has(key)) return;
      seen.add(key);
      extras.push(pem);
    };
    for (const source of this.options.extra ?? []) source.pems.forEach(add);
    const system = this.options.systemCa ? readSystemCertificates(this.options.env ?? process.env) : undefined;
    system?.pems.forEach(add);
    this.computed = { extras, ...(system ? { system } : {}) };
    return this.computed;
  }
}

/** The base64 of a PEM block without line breaks: the same certificate from two bundles compares equal. */
function body(pem: string): string {
  return pem.replace(/-----[A-Z ]+-----|\s/g, '');
}
