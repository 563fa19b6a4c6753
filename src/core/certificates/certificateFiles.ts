import { X509Certificate } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { CertificateRecord } from '../destinationService/types';
import { BtpError, ErrorCode } from '../errors';
import { isJavaKeystore, javaKeystoreCertificates } from './jks';

/**
 * Certificate files for the Destination service: which names and contents it takes. SAP's service reads the
 * format from the name's extension (JKS, PFX, PEM, CER, CRT and P12 files; "Use Destination Certificates"), so
 * the name must end in one of them and the content must be that format. The sandbox refuses what this refuses.
 */

export type CertificateFormat = 'pem' | 'x509' | 'pkcs12' | 'jks';

/** Extensions the Destination service takes in a certificate's name. */
const serviceExtensions: Readonly<Record<string, CertificateFormat>> = { pem: 'pem', cer: 'x509', crt: 'x509', p12: 'pkcs12', pfx: 'pkcs12', jks: 'jks' };

/** Files a user may pick to upload: the service's, and `.der` (uploaded as `.cer`, which is the same DER). */
export const certificateFileExtensions: readonly string[] = [...Object.keys(serviceExtensions), 'der'];

const namePattern = /^[A-Za-z0-9_.-]{1,200}$/;
const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** The most a certificate may hold here; the sandbox's request limit is 1 MiB of JSON, base64 adds a third. */
const maxContentBytes = 700 * 1024;

/** The certificate name a picked file gets: its file name, with `.der` as `.cer`. */
export function certificateNameForFile(fileName: string): string {
  const name = basename(fileName);
  return /\.der$/i.test(name) ? `${name.slice(0, -4)}.cer` : name;
}

/** The format a certificate name declares, or undefined when its extension is not one the service takes. */
export function formatOfName(name: string): CertificateFormat | undefined {
  return serviceExtensions[extname(name).slice(1).toLowerCase()];
}

/** What is wrong with a certificate name, as a sentence naming the fix; undefined when it is fine. */
export function certificateNameProblem(name: string): string | undefined {
  if (!namePattern.test(name)) {
    return `The certificate name "${name}" may contain only letters, digits, ".", "_" and "-" (at most 200 characters), e.g. "truststore.pem".`;
  }
  if (!formatOfName(name)) {
    return `The certificate name "${name}" must end in ${Object.keys(serviceExtensions)
      .map((extension) => `.${extension}`)
      .join(', ')}: the Destination service reads the file format from it.`;
  }
  return undefined;
}

/** What is wrong with `content` as the file `name` declares; undefined when it reads as that format. */
export function certificateContentProblem(name: string, content: Buffer): string | undefined {
  if (content.length === 0) return `The certificate "${name}" is empty: pick the certificate or keystore file itself.`;
  if (content.length > maxContentBytes) return `The certificate "${name}" is ${content.length} bytes; at most ${maxContentBytes} bytes are taken.`;
  const format = formatOfName(name);
  switch (format) {
    case 'pem':
      return pemProblem(name, content.toString('latin1'));
    case 'x509':
      if (looksLikePem(content)) return pemProblem(name, content.toString('latin1'));
      return readsAsX509(content) ? undefined : `The certificate "${name}" is neither a PEM nor a DER (binary) X.509 certificate.`;
    case 'pkcs12':
      return isPkcs12(content) ? undefined : `The keystore "${name}" is not a PKCS#12 file: export it again as .p12 (e.g. openssl pkcs12 -export).`;
    case 'jks':
      if (isJavaKeystore(content)) {
        try {
          javaKeystoreCertificates(content);
          return undefined;
        } catch (error) {
          return `The keystore "${name}" is a damaged Java keystore (${(error as Error).message}).`;
        }
      }
      // Java 9 and later write PKCS#12 keystores by default, also under a .jks name; the JDK reads both.
      return isPkcs12(content) ? undefined : `The keystore "${name}" is neither a Java keystore (JKS) nor PKCS#12.`;
    default:
      return certificateNameProblem(name);
  }
}

/** A certificate record for `name` and `content`, refused with a coded error naming the field and the fix. */
export function certificateRecord(name: string, content: Uint8Array): CertificateRecord {
  const nameProblem = certificateNameProblem(name);
  if (nameProblem) throw new BtpError(ErrorCode.InvalidInput, nameProblem, { field: 'Name' });
  const bytes = Buffer.from(content);
  const contentProblem = certificateContentProblem(name, bytes);
  if (contentProblem) throw new BtpError(ErrorCode.InvalidInput, contentProblem, { field: 'Content' });
  return { Name: name, Content: bytes.toString('base64') };
}

/** The format of stored content: by its name, else by its first bytes (a name uploaded by some other tool). */
export function formatOf(record: CertificateRecord, content: Buffer): CertificateFormat {
  const declared = formatOfName(record.Name);
  if (declared === 'jks' && !isJavaKeystore(content)) return 'pkcs12';
  if (declared) return declared;
  if (isJavaKeystore(content)) return 'jks';
  if (looksLikePem(content)) return 'pem';
  return readsAsX509(content) ? 'x509' : 'pkcs12';
}

/** Every `BEGIN CERTIFICATE` block of a PEM text, in order (private keys and other blocks are left out). */
export function pemCertificateBlocks(text: string): string[] {
  return text.match(pemCertificate) ?? [];
}

function pemProblem(name: string, text: string): string | undefined {
  const blocks = pemCertificateBlocks(text);
  if (blocks.length === 0) return `The certificate "${name}" holds no PEM certificate (-----BEGIN CERTIFICATE-----).`;
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return `Certificate ${index + 1} in "${name}" is not a valid X.509 certificate (${(error as Error).message}).`;
    }
  }
  return undefined;
}

function looksLikePem(content: Buffer): boolean {
  return content.subarray(0, 64).toString('latin1').trimStart().startsWith('-----BEGIN');
}

function readsAsX509(content: Buffer): boolean {
  try {
    new X509Certificate(content);
    return true;
  } catch {
    return false;
  }
}

/** PFX (RFC 7292): a DER SEQUENCE whose first element is INTEGER 3; the rest needs the password to read. */
function isPkcs12(content: Buffer): boolean {
  if (content[0] !== 0x30 || content.length < 5) return false;
  const first = content[1] ?? 0;
  // Definite length: short form, or long form with (first & 0x7f) length bytes; BER's indefinite 0x80 too.
  const headerLength = first < 0x80 ? 2 : first === 0x80 ? 2 : 2 + (first & 0x7f);
  return content[headerLength] === 0x02 && content[headerLength + 1] === 0x01 && content[headerLength + 2] === 0x03;
}
