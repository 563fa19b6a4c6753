import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';

/** The OS trust store's CA certificates (PEM), and where they came from; `pems` is empty where none is reachable. */
export interface SystemCertificates {
  readonly pems: readonly string[];
  /** `OS trust store`, `/etc/ssl/certs/ca-certificates.crt`, or why there is none. */
  readonly source: string;
  readonly available: boolean;
}

/** Where Linux distributions keep the OS store as one PEM bundle (Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE). */
export const LINUX_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem'] as const;

/**
 * Node 22.15+/23.5+ read the OS store themselves (`tls.getCACertificates('system')`: Keychain, Windows store,
 * OpenSSL's directories). Older Node has no API: on Linux the distribution's bundle file is the OS store (what
 * curl and OpenSSL read; `SSL_CERT_FILE` overrides it, as for them); macOS and Windows need Node 22.15+.
 * Read synchronously: it happens once, when the first TLS pool is made, and pools are made in synchronous getters.
 */
export function readSystemCertificates(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): SystemCertificates {
  const getCACertificates = (tls as { getCACertificates?: (type: 'system') => string[] }).getCACertificates;
  if (typeof getCACertificates === 'function') {
    try {
      return { pems: getCACertificates('system'), source: 'OS trust store', available: true };
    } catch (error) {
      return { pems: [], source: `OS trust store unreadable (${(error as Error).message})`, available: false };
    }
  }
  if (platform !== 'linux')
    return { pems: [], source: `no OS trust store on Node ${process.versions.node} for ${platform} (Node 22.15 or later reads it)`, available: false };
  for (const path of [env.SSL_CERT_FILE, ...LINUX_BUNDLES]) {
    if (!path) continue;
    try {
      return { pems: splitPem(readFileSync(path, 'utf8')), source: path, available: true };
    } catch {
      // The next candidate: distributions differ in where the bundle lives.
    }
  }
  return { pems: [], source: `no OS CA bundle found (${LINUX_BUNDLES.join(', ')})`, available: false };
}

/** The certificates of a PEM text, one block each; anything between blocks (comments, keys) is dropped. */
export function splitPem(text: string): string[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((match) => `${match[0]}\n`);
}
