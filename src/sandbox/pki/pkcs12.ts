import { X509Certificate, createCipheriv, createHash, createHmac, createPrivateKey, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { validationError } from '../../core/errors';
import type { ValidationIssue } from '../../core/errors';
import * as der from './der';
import { Oid } from './oids';

/**
 * A PKCS#12 (RFC 7292) keystore writer: one private key and its certificate chain, as SAP's approuter and the
 * Destination service's `.p12` certificates expect. Node reads PKCS#12 (`tls` `pfx`) but cannot write it. The
 * profile is OpenSSL 3's default: both bags encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), the whole
 * protected by an HMAC-SHA256 MAC whose key comes from the PKCS#12 KDF (RFC 7292 Appendix B).
 */

export interface Pkcs12Input {
  /** The leaf certificate first, then any CA certificates to ship with it; PEM, one or several blocks. */
  readonly certPem: string;
  /** The leaf's private key, PEM (unencrypted PKCS#8 or PKCS#1). */
  readonly keyPem: string;
  /** What `KeyStorePassword` will hold; encrypts both bags and keys the MAC. */
  readonly password: string;
  /** Shown by keystore tools as the entry's alias. */
  readonly friendlyName?: string;
  /** PBKDF2 and MAC iterations; OpenSSL's default is 2048. */
  readonly iterations?: number;
}

const defaultIterations = 2048;

function fail(issues: readonly ValidationIssue[]): never {
  throw validationError('The PKCS#12 keystore options', issues);
}

/** Every `BEGIN CERTIFICATE` block of `pem`, parsed, in order. */
function certificatesOf(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) fail([{ field: 'certPem', problem: 'missing', message: 'certPem holds no PEM certificate (-----BEGIN CERTIFICATE-----).' }]);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      fail([{ field: 'certPem', problem: 'invalid_certificate', message: `Certificate ${index + 1} in certPem is not X.509 (${(cause as Error).message}).` }]);
    }
  });
}

/** PBES2 AlgorithmIdentifier (RFC 8018 §A.4) for PBKDF2-HMAC-SHA256 and AES-256-CBC. */
function pbes2Parameters(salt: Buffer, iterations: number, iv: Buffer): Buffer {
  const kdf = der.sequence(
    der.objectIdentifier(Oid.pbkdf2),
    der.sequence(der.octetString(salt), der.integer(iterations), der.sequence(der.objectIdentifier(Oid.hmacWithSHA256), der.nullValue())),
  );
  const cipher = der.sequence(der.objectIdentifier(Oid.aes256Cbc), der.octetString(iv));
  return der.sequence(der.objectIdentifier(Oid.pbes2), der.sequence(kdf, cipher));
}

/** Encrypts with PBES2; the password goes in as UTF-8 bytes, as OpenSSL does for PBES2 inside PKCS#12. */
function pbes2Encrypt(plain: Buffer, password: string, iterations: number): { algorithm: Buffer; encrypted: Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return { algorithm: pbes2Parameters(salt, iterations, iv), encrypted: Buffer.concat([cipher.update(plain), cipher.final()]) };
}

/**
 * BMPString content: UTF-16BE code units (surrogate pairs beyond the BMP, as OpenSSL writes them). `terminated`
 * adds the two zero bytes the PKCS#12 KDF expects after a password (RFC 7292 §B.1).
 */
function bmpString(text: string, terminated: boolean): Buffer {
  const bytes = Buffer.alloc(text.length * 2 + (terminated ? 2 : 0));
  for (let i = 0; i < text.length; i += 1) bytes.writeUInt16BE(text.charCodeAt(i), i * 2);
  return bytes;
}

/**
 * RFC 7292 Appendix B.2 with SHA-256 (u = 32, v = 64), for `id` 3 (the MAC key). The MAC key is exactly one hash
 * long, so only the first block A_1 is needed and the update of I for further blocks never happens.
 */
function pkcs12MacKey(password: Buffer, salt: Buffer, iterations: number): Buffer {
  const v = 64;
  const fill = (source: Buffer) => {
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i += 1) out[i] = source[i % source.length] ?? 0;
    return out;
  };
  let a = createHash('sha256').update(Buffer.alloc(v, 3)).update(fill(salt)).update(fill(password)).digest();
  for (let round = 1; round < iterations; round += 1) a = createHash('sha256').update(a).digest();
  return a;
}

/** `[0] EXPLICIT` around a content, as ContentInfo and SafeBag carry their values. */
const wrap = (inner: Buffer) => der.explicit(0, inner);

function bagAttributes(localKeyId: Buffer, friendlyName: string | undefined): Buffer {
  const attributes = [der.sequence(der.objectIdentifier(Oid.localKeyId), der.set(der.octetString(localKeyId)))];
  if (friendlyName !== undefined) {
    attributes.push(der.sequence(der.objectIdentifier(Oid.friendlyName), der.set(der.tlv(0x1e, bmpString(friendlyName, false)))));
  }
  return der.set(...attributes);
}

function dataContentInfo(content: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(Oid.data), wrap(der.octetString(content)));
}

/** A keystore: the key (pkcs8ShroudedKeyBag) and the certificates (certBags in an EncryptedData), with a MAC. */
export function encodePkcs12(input: Pkcs12Input): Buffer {
  const iterations = input.iterations ?? defaultIterations;
  const issues: ValidationIssue[] = [];
  if (typeof input.password !== 'string' || input.password.length === 0)
    issues.push({ field: 'password', problem: 'missing', message: 'password is empty; a PKCS#12 keystore needs one (it becomes KeyStorePassword).' });
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    issues.push({ field: 'iterations', problem: 'invalid', message: `iterations must be a positive integer, not ${String(iterations)}.` });
  if (issues.length > 0) fail(issues);
  const certificates = certificatesOf(input.certPem);
  let key: KeyObject;
  try {
    key = createPrivateKey(input.keyPem);
  } catch (cause) {
    fail([{ field: 'keyPem', problem: 'invalid_key', message: `keyPem is not an unencrypted PEM private key (${(cause as Error).message}).` }]);
  }
  const leaf = certificates[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key))
    fail([{ field: 'keyPem', problem: 'key_mismatch', message: 'keyPem is not the private key of the first certificate in certPem.' }]);

  // localKeyId pairs the key with its certificate; OpenSSL uses the certificate's SHA-1 the same way.
  const localKeyId = createHash('sha1').update(leaf.raw).digest();
  const certBags = certificates.map((certificate, index) =>
    der.sequence(
      der.objectIdentifier(Oid.certBag),
      wrap(der.sequence(der.objectIdentifier(Oid.x509Certificate), wrap(der.octetString(certificate.raw)))),
      ...(index === 0 ? [bagAttributes(localKeyId, input.friendlyName)] : []),
    ),
  );
  const sealedCerts = pbes2Encrypt(der.sequence(...certBags), input.password, iterations);
  const encryptedData = der.sequence(
    der.objectIdentifier(Oid.encryptedData),
    wrap(der.sequence(der.integer(0), der.sequence(der.objectIdentifier(Oid.data), sealedCerts.algorithm, der.implicit(0, sealedCerts.encrypted)))),
  );

  const sealedKey = pbes2Encrypt(key.export({ type: 'pkcs8', format: 'der' }), input.password, iterations);
  const keyBag = der.sequence(
    der.objectIdentifier(Oid.pkcs8ShroudedKeyBag),
    wrap(der.sequence(sealedKey.algorithm, der.octetString(sealedKey.encrypted))),
    bagAttributes(localKeyId, input.friendlyName),
  );
  const authenticatedSafe = der.sequence(encryptedData, dataContentInfo(der.sequence(keyBag)));

  const macSalt = randomBytes(16);
  const macKey = pkcs12MacKey(bmpString(input.password, true), macSalt, iterations);
  const mac = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  const macData = der.sequence(
    der.sequence(der.sequence(der.objectIdentifier(Oid.sha256), der.nullValue()), der.octetString(mac)),
    der.octetString(macSalt),
    der.integer(iterations),
  );
  return der.sequence(der.integer(3), dataContentInfo(authenticatedSafe), macData);
}
