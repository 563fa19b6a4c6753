import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { validationError } from '../../core/errors';
import type { ValidationIssue } from '../../core/errors';
import * as der from './der';
import { childrenOf, contentOf, encodingOf, readElement } from './der-reader';
import type { DerElement } from './der-reader';
import { keyIdentifier } from './extensions';
import { Oid } from './oids';

/** What issuing a certificate needs from the CA. */
export interface Issuer {
  /** The CA's subject Name, DER, verbatim: verifiers link a chain by comparing issuer to subject. */
  readonly name: Buffer;
  /** Goes into each leaf's authorityKeyIdentifier; must equal the CA's subjectKeyIdentifier. */
  readonly keyIdentifier: Buffer;
  readonly privateKey: KeyObject;
}

function fail(field: string, problem: string, message: string): never {
  const issue: ValidationIssue = { field, problem, message };
  throw validationError('The certificate authority', [issue]);
}

/** The subjectKeyIdentifier extension's key id, if the certificate has one. */
function findSubjectKeyId(raw: Buffer, tbsFields: readonly DerElement[]): Buffer | undefined {
  const wrapper = tbsFields.find((field) => field.tag === 0xa3);
  const list = wrapper && childrenOf(raw, wrapper)[0];
  if (!list) return undefined;
  const wanted = der.objectIdentifier(Oid.subjectKeyIdentifier);
  for (const ext of childrenOf(raw, list)) {
    const parts = childrenOf(raw, ext);
    const [oid] = parts;
    const value = parts[parts.length - 1];
    if (oid && value && encodingOf(raw, oid).equals(wanted)) {
      const inner = contentOf(raw, value);
      return contentOf(inner, readElement(inner));
    }
  }
  return undefined;
}

/**
 * Checks that `certPem` is a CA certificate, that `keyPem` is its RSA private key, and reads the CA's
 * subject and key id. A CA made elsewhere may use another key-id method, so its own SKI wins over ours.
 */
export function loadIssuer(certPem: string, keyPem: string): Issuer {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (cause) {
    fail('certPem', 'invalid_certificate', `certPem is not a PEM X.509 certificate (${(cause as Error).message}).`);
  }
  if (!cert.ca) fail('certPem', 'not_a_ca', `certPem (subject "${cert.subject}") is not a CA certificate: its basicConstraints lack CA:TRUE.`);

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (cause) {
    fail('keyPem', 'invalid_key', `keyPem is not a PEM private key (${(cause as Error).message}).`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    fail('keyPem', 'unsupported_key', `keyPem is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; the sandbox PKI signs with RSA keys only.`);
  }
  if (!cert.checkPrivateKey(privateKey)) fail('keyPem', 'key_mismatch', 'keyPem is not the private key of the certificate in certPem.');

  try {
    const raw = cert.raw;
    const tbs = childrenOf(raw, readElement(raw))[0];
    if (!tbs) throw new RangeError('no TBSCertificate');
    const fields = childrenOf(raw, tbs);
    // The version field is optional ([0], absent in v1), so count from the serial number.
    const base = fields[0]?.tag === 0xa0 ? 1 : 0;
    const subject = fields[base + 4];
    if (!subject) throw new RangeError('no subject');
    return {
      name: encodingOf(raw, subject),
      keyIdentifier: findSubjectKeyId(raw, fields) ?? keyIdentifier(cert.publicKey),
      privateKey,
    };
  } catch (cause) {
    fail('certPem', 'invalid_certificate', `certPem could not be read (${(cause as Error).message}).`);
  }
}
