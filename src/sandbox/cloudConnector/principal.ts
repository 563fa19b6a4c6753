import { issueClientCertificate, type KeyPairPem } from '../pki';
import type { PropagatedUser } from '../tunnel/tunnelProtocol';
import { propagatesPrincipal, type SystemMapping } from './types';

/** What the backend learns about the cloud user (spec §6: principal type X.509). */
export interface PrincipalHeaders {
  /** Base64 DER of the short-lived user certificate, as SAP web dispatchers and ICM expect it. */
  readonly SSL_CLIENT_CERT: string;
  /** The user name in plain text, so tests and demo backends can show whose identity arrived. */
  readonly 'X-Emulated-User': string;
}

/** Headers a cloud client must never be able to send itself: they would impersonate a propagated user. */
export const principalHeaderNames = ['ssl_client_cert', 'x-emulated-user'];

const cacheLifetimeMs = 60 * 60 * 1000;
const maxCached = 100;

/**
 * Issues user certificates from the sandbox CA (the one the backend trusts) and keeps each for an hour: RSA key
 * generation blocks for tens of milliseconds, too long to pay per request.
 */
export class PrincipalCertificates {
  private readonly cache = new Map<string, { certificate: KeyPairPem; expiresAt: number }>();

  constructor(private readonly ca: KeyPairPem | undefined) {}

  /** Headers for the backend, or none when the mapping does not propagate or nobody is propagated. */
  headersFor(mapping: SystemMapping, user: PropagatedUser | undefined): PrincipalHeaders | undefined {
    if (!user || !propagatesPrincipal(mapping) || !this.ca) return undefined;
    return { SSL_CLIENT_CERT: derBase64(this.certificateFor(user, this.ca).certPem), 'X-Emulated-User': user.userName };
  }

  private certificateFor(user: PropagatedUser, ca: KeyPairPem): KeyPairPem {
    const key = `${user.tenantId}\n${user.userName}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.certificate;
    // The validity is the CA's minimum of a day; the backend checks the issuer, the subject names the user.
    const certificate = issueClientCertificate(ca, {
      commonName: commonNameOf(user.userName),
      organization: 'BTP Connect sandbox',
      organizationalUnits: [`Principal propagation ${user.tenantId}`.slice(0, 64)],
      validDays: 1,
    });
    if (this.cache.size >= maxCached) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { certificate, expiresAt: Date.now() + cacheLifetimeMs });
    return certificate;
  }
}

function commonNameOf(userName: string): string {
  const cleaned = [...userName.replace(/\p{Cc}/gu, '')].slice(0, 64).join('').trim();
  return cleaned === '' ? 'unnamed-user' : cleaned;
}

function derBase64(certPem: string): string {
  return certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
