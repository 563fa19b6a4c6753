import { randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeProxyHeader, type ProxyHeaderInfo } from './proxyProtocol';

/** Hosts a system mapping may name for a system of this machine. */
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The emulated corporate network and its one rule: its systems take connections only from the Cloud Connector.
 * A real network keeps them apart with routing and firewalls; on one machine everything shares loopback, so the
 * connector proves itself on every connection instead: a PROXY v2 header (the standard way a relay introduces the
 * connection it relays, placed before TLS) whose custom TLV carries a random secret of this sandbox start. The
 * secret lives only in this object, held by the systems and the connectors of one sandbox, never in a file; loopback
 * traffic is readable by root alone.
 *
 * The proof goes only to the systems registered here: a user's own backend behind a mapping (e.g. a PostgreSQL)
 * cannot check it and gets no header it does not expect.
 */
export class OnPremiseNetwork {
  private readonly secret = randomBytes(32);
  private readonly ports = new Set<number>();

  /** A system of this network listens on 127.0.0.1:`port`; returns how to leave. */
  register(port: number): () => void {
    this.ports.add(port);
    return () => this.ports.delete(port);
  }

  /** Whether the connector must prove itself to the backend of a mapping. */
  covers(host: string, port: number): boolean {
    return this.ports.has(port) && loopbackHosts.has(host.toLowerCase());
  }

  /** The header the connector sends first on a connection to a system of this network. */
  introduce(info: Omit<ProxyHeaderInfo, 'proof'> = {}): Buffer {
    return encodeProxyHeader({ ...info, proof: this.secret });
  }

  /** Whether a connection's PROXY header carries this network's proof. */
  admits(info: ProxyHeaderInfo): boolean {
    return info.proof !== undefined && info.proof.length === this.secret.length && timingSafeEqual(info.proof, this.secret);
  }
}
