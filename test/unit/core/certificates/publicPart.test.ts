import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { certificateNameForFile, certificateRecord } from '../../../../src/core/certificates/certificateFiles';
import { firstCertificateOf, publicPartOf } from '../../../../src/core/certificates/publicPart';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { createCertificateAuthority, issueClientCertificate } from '../../../../src/sandbox/pki';
import { encodePkcs12 } from '../../../../src/sandbox/pki/pkcs12';

const ca = createCertificateAuthority({ commonName: 'Public Part CA' });
const client = issueClientCertificate(ca, { commonName: 'public-part-client' });
const dir = mkdtempSync(join(tmpdir(), 'btp-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const record = (name: string, content: Uint8Array | string) => ({ Name: name, Content: Buffer.from(content).toString('base64') });

let jksBytes: Buffer | undefined;

/** A real JKS, written by the JDK's keytool: a key entry (client key + chain) and a trusted CA entry. Made once. */
function javaKeystore(): Buffer {
  if (jksBytes) return jksBytes;
  const env = { ...process.env, STOREPASS: 'keystore-pass' };
  const p12 = join(dir, 'client.p12');
  writeFileSync(p12, encodePkcs12({ certPem: `${client.certPem}${ca.certPem}`, keyPem: client.keyPem, password: 'keystore-pass', friendlyName: 'client' }));
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  const jks = join(dir, 'store.jks');
  const keytool = (...args: string[]) => execFileSync('keytool', [...args, '-noprompt'], { env, stdio: 'pipe' });
  keytool(
    '-importkeystore',
    '-srckeystore',
    p12,
    '-srcstoretype',
    'PKCS12',
    '-srcstorepass:env',
    'STOREPASS',
    '-destkeystore',
    jks,
    '-deststoretype',
    'JKS',
    '-deststorepass:env',
    'STOREPASS',
  );
  keytool('-importcert', '-alias', 'sandbox-ca', '-file', join(dir, 'ca.pem'), '-keystore', jks, '-storetype', 'JKS', '-storepass:env', 'STOREPASS');
  jksBytes = readFileSync(jks);
  return jksBytes;
}

describe('the public part of a certificate', () => {
  it('a PEM key store (certificate, chain and private key) gives its certificates and never the key', () => {
    const part = publicPartOf(record('backend-client.pem', `${client.certPem}${client.keyPem}${ca.certPem}`));
    assert.equal(part.kind, 'certificates');
    if (part.kind !== 'certificates') return;
    assert.doesNotMatch(part.pem, /PRIVATE KEY/);
    assert.equal(part.pem.match(/BEGIN CERTIFICATE/g)?.length, 2);
    assert.deepEqual(
      part.certificates.map((certificate) => certificate.subject),
      ['CN=public-part-client', 'CN=Public Part CA'],
    );
    assert.equal(part.certificates[0]?.validTo.getTime(), new Date(new X509Certificate(client.certPem).validTo).getTime());
  });

  it('a DER .cer becomes PEM', () => {
    const der = new X509Certificate(ca.certPem).raw;
    const part = publicPartOf(record('ca.cer', der));
    assert.equal(part.kind === 'certificates' && part.pem, new X509Certificate(ca.certPem).toString());
  });

  it('a JKS written by keytool gives every certificate with its alias, without the password and without the key', () => {
    const part = publicPartOf(record('store.jks', javaKeystore()));
    assert.equal(part.kind, 'certificates');
    if (part.kind !== 'certificates') return;
    assert.deepEqual(part.certificates.map((certificate) => [certificate.alias, certificate.subject]).sort(), [
      ['client (1/2)', 'CN=public-part-client'],
      ['client (2/2)', 'CN=Public Part CA'],
      ['sandbox-ca', 'CN=Public Part CA'],
    ]);
    assert.doesNotMatch(part.pem, /PRIVATE KEY/);
    assert.equal(firstCertificateOf(record('store.jks', javaKeystore())).format, 'jks');
  });

  it('a PKCS#12 keystore has no public part without its password, and says how to export one', () => {
    const p12 = encodePkcs12({ certPem: client.certPem, keyPem: client.keyPem, password: 'p', iterations: 1 });
    const part = publicPartOf(record('client.p12', p12));
    assert.equal(part.kind, 'locked');
    assert.match(part.kind === 'locked' ? part.reason : '', /openssl pkcs12 -in client\.p12 -nokeys/);
    assert.deepEqual(firstCertificateOf(record('client.p12', p12)), { format: 'pkcs12', count: 0 });
  });
});

describe('certificate files for upload', () => {
  const refused = (name: string, content: Uint8Array | string, field: string, pattern: RegExp) => {
    assert.throws(
      () => certificateRecord(name, Buffer.from(content)),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput) && error.field === field && pattern.test(error.message),
      `${name} should be refused on ${field}`,
    );
  };

  it('takes each format under its own extension', () => {
    const p12 = encodePkcs12({ certPem: client.certPem, keyPem: client.keyPem, password: 'p', iterations: 1 });
    const der = new X509Certificate(ca.certPem).raw;
    for (const [name, content] of [
      ['ts.pem', ca.certPem],
      ['ca.cer', der],
      ['ca.crt', ca.certPem],
      ['client.p12', p12],
      ['client.pfx', p12],
      ['store.jks', javaKeystore()],
      ['modern.jks', p12],
    ] as const) {
      assert.equal(certificateRecord(name, Buffer.from(content)).Name, name);
    }
  });

  it('refuses names without a service extension or with other characters, and contents of another format', () => {
    refused('truststore', ca.certPem, 'Name', /must end in \.pem, \.cer, \.crt, \.p12, \.pfx, \.jks/);
    refused('ca.der', ca.certPem, 'Name', /must end in/);
    refused('my cert.pem', ca.certPem, 'Name', /only letters, digits/);
    refused('ts.pem', 'not a certificate', 'Content', /holds no PEM certificate/);
    refused('ts.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'Content', /not a valid X\.509/);
    refused('client.p12', ca.certPem, 'Content', /not a PKCS#12 file/);
    refused('store.jks', ca.certPem, 'Content', /neither a Java keystore/);
    refused('ca.cer', 'garbage', 'Content', /neither a PEM nor a DER/);
    refused('empty.pem', '', 'Content', /is empty/);
  });

  it('a .der file is uploaded as .cer', () => {
    assert.equal(certificateNameForFile('/home/me/certs/root-ca.der'), 'root-ca.cer');
    assert.equal(certificateNameForFile('C.PEM'), 'C.PEM');
  });
});
