import { randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as der from './der';
import { Oid } from './oids';

/** One attribute of a distinguished name; the PKI only ever writes these three. */
export interface NameAttribute {
  readonly type: 'CN' | 'O' | 'OU';
  readonly value: string;
}

const attributeOids: Record<NameAttribute['type'], string> = {
  CN: Oid.commonName,
  O: Oid.organizationName,
  OU: Oid.organizationalUnitName,
};

/**
 * A Name in the order given (most significant first, e.g. O, OU, CN), one single-valued RDN per attribute,
 * all values UTF8String as RFC 5280 §4.1.2.6 asks of new certificates.
 */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  return der.sequence(...attributes.map(({ type, value }) => der.set(der.sequence(der.objectIdentifier(attributeOids[type]), der.utf8String(value)))));
}

/**
 * 16 random bytes with the top bit cleared (a DER INTEGER with the high bit set would be negative) and the
 * next bit set, so the serial never shrinks below 16 bytes; that leaves 126 random bits, far above the 64
 * the CA/Browser Forum asks for.
 */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x3f) | 0x40;
  return serial;
}

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

export interface CertificateSpec {
  /** DER Name of the subject. */
  readonly subject: Buffer;
  /** DER Name of the issuer, copied byte for byte from the issuer's own subject so chains always link. */
  readonly issuer: Buffer;
  readonly subjectPublicKey: KeyObject;
  /** An RSA private key; the signature algorithm is fixed to sha256WithRSAEncryption. */
  readonly issuerPrivateKey: KeyObject;
  readonly validDays: number;
  /** Complete DER `Extension`s, in the order they should appear. */
  readonly extensions: readonly Buffer[];
  /** The issuing time; tests pin it, everyone else gets the clock. */
  readonly now?: Date;
}

/** RFC 4055 §5: the RSA PKCS#1 v1.5 identifiers carry an explicit NULL parameter. */
function signatureAlgorithm(): Buffer {
  return der.sequence(der.objectIdentifier(Oid.sha256WithRSAEncryption), der.nullValue());
}

/** Builds the TBSCertificate, signs it with the issuer's key and returns the Certificate as DER. */
export function signCertificate(spec: CertificateSpec): Buffer {
  const now = spec.now?.getTime() ?? Date.now();
  // Starting an hour back keeps a certificate usable at once on machines whose clocks run a little behind.
  const notBefore = new Date(now - hourMs);
  const notAfter = new Date(now + spec.validDays * dayMs);
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)), // v3: extensions need it
    der.integer(randomSerial()),
    signatureAlgorithm(),
    spec.issuer,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    spec.subject,
    spec.subjectPublicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...spec.extensions)),
  );
  const signature = sign('sha256', tbs, spec.issuerPrivateKey);
  return der.sequence(tbs, signatureAlgorithm(), der.bitString(signature));
}

/** PEM with the 64-column base64 lines OpenSSL and every other reader expect. */
export function toPem(label: string, derBytes: Buffer): string {
  const lines = derBytes.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
