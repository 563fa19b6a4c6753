import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { validationError } from '../../core/errors';
import type { ValidationIssue } from '../../core/errors';
import { encodeName, signCertificate, toPem } from './certificate';
import type { NameAttribute } from './certificate';
import {
  KeyUsage,
  authorityKeyIdentifier,
  basicConstraints,
  extendedKeyUsage,
  keyIdentifier,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions';
import { loadIssuer } from './issuer';
import { Oid } from './oids';
import { attributeIssues, dnsNameIssues, ipAddressIssues, listIssues, subjectAltNameIssues, validDaysIssues } from './validate';

/**
 * The sandbox's own small PKI: a CA that clients trust through NODE_EXTRA_CA_CERTS, server certificates
 * for the emulated hosts and client certificates for mTLS service keys. Node can verify X.509 but not
 * create it, so certificates are assembled in DER here and only signed by `node:crypto`.
 */

/** A certificate and its private key, both PEM; `keyPem` is PKCS#8 (`BEGIN PRIVATE KEY`). */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

const defaultCaDays = 3650;
// 825 days is the longest server certificate Apple platforms accept even from a private CA.
const defaultLeafDays = 825;

function check(subject: string, issues: readonly ValidationIssue[]): void {
  if (issues.length > 0) throw validationError(subject, issues);
}

function newKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A self-signed root: `CN` (and `O`), CA:TRUE, allowed to sign certificates and CRLs. */
export function createCertificateAuthority(opts: { commonName: string; organization?: string; validDays?: number }): KeyPairPem {
  check('The certificate authority options', [
    ...attributeIssues('commonName', opts.commonName, true),
    ...attributeIssues('organization', opts.organization, false),
    ...validDaysIssues(opts.validDays),
  ]);
  const { publicKey, privateKey } = newKeyPair();
  const name = encodeName([
    ...(opts.organization === undefined ? [] : [{ type: 'O', value: opts.organization } as const]),
    { type: 'CN', value: opts.commonName },
  ]);
  const certDer = signCertificate({
    subject: name,
    issuer: name,
    subjectPublicKey: publicKey,
    issuerPrivateKey: privateKey,
    validDays: opts.validDays ?? defaultCaDays,
    extensions: [basicConstraints(true), keyUsage([KeyUsage.keyCertSign, KeyUsage.cRLSign]), subjectKeyIdentifier(keyIdentifier(publicKey))],
  });
  return { certPem: toPem('CERTIFICATE', certDer), keyPem: privateKeyPem(privateKey) };
}

/** The parts server and client certificates share; `profile` adds the EKU, SAN and so on. */
function issueLeaf(ca: KeyPairPem, subject: readonly NameAttribute[], validDays: number | undefined, profile: readonly Buffer[]): KeyPairPem {
  const issuer = loadIssuer(ca.certPem, ca.keyPem);
  const { publicKey, privateKey } = newKeyPair();
  const certDer = signCertificate({
    subject: encodeName(subject),
    issuer: issuer.name,
    subjectPublicKey: publicKey,
    issuerPrivateKey: issuer.privateKey,
    validDays: validDays ?? defaultLeafDays,
    extensions: [
      basicConstraints(false),
      // digitalSignature for (EC)DHE handshakes, keyEncipherment for RSA key transport in TLS 1.2 and older.
      keyUsage([KeyUsage.digitalSignature, KeyUsage.keyEncipherment]),
      ...profile,
      subjectKeyIdentifier(keyIdentifier(publicKey)),
      authorityKeyIdentifier(issuer.keyIdentifier),
    ],
  });
  return { certPem: toPem('CERTIFICATE', certDer), keyPem: privateKeyPem(privateKey) };
}

/**
 * A TLS server certificate for every host in `dnsNames` and every address in `ipAddresses`. TLS clients
 * match only these subjectAltName entries; `commonName` is for people reading the certificate.
 */
export function issueServerCertificate(
  ca: KeyPairPem,
  opts: { commonName: string; dnsNames: readonly string[]; ipAddresses?: readonly string[]; validDays?: number },
): KeyPairPem {
  check('The server certificate options', [
    ...attributeIssues('commonName', opts.commonName, true),
    ...listIssues('dnsNames', opts.dnsNames, dnsNameIssues),
    ...listIssues('ipAddresses', opts.ipAddresses, ipAddressIssues),
    ...subjectAltNameIssues(opts.dnsNames, opts.ipAddresses),
    ...validDaysIssues(opts.validDays),
  ]);
  return issueLeaf(ca, [{ type: 'CN', value: opts.commonName }], opts.validDays, [
    extendedKeyUsage([Oid.serverAuth]),
    subjectAltName(opts.dnsNames, opts.ipAddresses ?? []),
  ]);
}

/**
 * A TLS client certificate for mTLS (e.g. an X.509 service key). The subject is encoded O, OU..., CN:
 * most significant first, the conventional DER order (printed reversed in RFC 4514 form).
 */
export function issueClientCertificate(
  ca: KeyPairPem,
  opts: { commonName: string; organization?: string; organizationalUnits?: readonly string[]; validDays?: number },
): KeyPairPem {
  check('The client certificate options', [
    ...attributeIssues('commonName', opts.commonName, true),
    ...attributeIssues('organization', opts.organization, false),
    ...listIssues('organizationalUnits', opts.organizationalUnits, (field, value) => attributeIssues(field, value, true)),
    ...validDaysIssues(opts.validDays),
  ]);
  const subject: NameAttribute[] = [
    ...(opts.organization === undefined ? [] : [{ type: 'O', value: opts.organization } as const]),
    ...(opts.organizationalUnits ?? []).map((value) => ({ type: 'OU', value }) as const),
    { type: 'CN', value: opts.commonName },
  ];
  return issueLeaf(ca, subject, opts.validDays, [extendedKeyUsage([Oid.clientAuth])]);
}
