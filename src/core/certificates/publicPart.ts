import { X509Certificate } from 'node:crypto';
import type { CertificateRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { formatOf, pemCertificateBlocks, type CertificateFormat } from './certificateFiles';
import { javaKeystoreCertificates } from './jks';

/**
 * The public part of a Destination service certificate: its X.509 certificates as PEM, never a private key
 * (a PEM key store's key block is dropped) and never a keystore password (none is asked for). PKCS#12 keeps its
 * certificates encrypted with the keystore password, so it has no public part here.
 */

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  readonly alias?: string;
}

export type PublicPart =
  | { readonly kind: 'certificates'; readonly format: CertificateFormat; readonly certificates: readonly CertificateSummary[]; readonly pem: string }
  | { readonly kind: 'locked'; readonly format: 'pkcs12'; readonly reason: string };

export function publicPartOf(record: CertificateRecord): PublicPart {
  const content = Buffer.from(record.Content, 'base64');
  const format = formatOf(record, content);
  if (format === 'pkcs12') {
    return {
      kind: 'locked',
      format,
      reason:
        `"${record.Name}" is a PKCS#12 keystore: its certificates are encrypted with the keystore password, which BTP Connect never asks for. ` +
        `Export them where the keystore was made, e.g. openssl pkcs12 -in ${record.Name} -nokeys -out ${record.Name.replace(/\.[^.]+$/, '')}.pem`,
    };
  }
  const found = readCertificates(record.Name, format, content);
  if (found.length === 0) {
    throw new BtpError(ErrorCode.InvalidInput, `The certificate "${record.Name}" holds no X.509 certificate that can be read.`, { field: 'Content' });
  }
  return {
    kind: 'certificates',
    format,
    certificates: found.map(({ certificate, alias }) => summaryOf(certificate, alias)),
    pem: found.map(({ certificate }) => certificate.toString()).join(''),
  };
}

/** Subject and validity of the first certificate (the leaf in a chain), for tooltips; undefined when unreadable. */
export function firstCertificateOf(record: CertificateRecord): { format: CertificateFormat; first?: CertificateSummary; count: number } {
  try {
    const part = publicPartOf(record);
    if (part.kind === 'locked') return { format: part.format, count: 0 };
    return { format: part.format, count: part.certificates.length, ...(part.certificates[0] ? { first: part.certificates[0] } : {}) };
  } catch {
    return { format: formatOf(record, Buffer.from(record.Content, 'base64')), count: 0 };
  }
}

function readCertificates(name: string, format: CertificateFormat, content: Buffer): { certificate: X509Certificate; alias?: string }[] {
  try {
    if (format === 'jks') return javaKeystoreCertificates(content).map(({ alias, der }) => ({ certificate: new X509Certificate(der), alias }));
    const text = content.toString('latin1');
    const blocks = pemCertificateBlocks(text);
    if (blocks.length > 0) return blocks.map((block) => ({ certificate: new X509Certificate(block) }));
    return format === 'x509' ? [{ certificate: new X509Certificate(content) }] : [];
  } catch (error) {
    throw new BtpError(ErrorCode.InvalidInput, `The certificate "${name}" cannot be read (${(error as Error).message}).`, { field: 'Content', cause: error });
  }
}

function summaryOf(certificate: X509Certificate, alias: string | undefined): CertificateSummary {
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
    ...(alias === undefined ? {} : { alias }),
  };
}

/** Node writes a DN one attribute per line; the service's SubjectDN is one line, comma-separated. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
