import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { certificateRecord } from '../../src/core/certificates/certificateFiles';
import { publicPartOf } from '../../src/core/certificates/publicPart';
import { deleteUnusedCertificate } from '../../src/core/certificates/references';
import { ErrorCode, isBtpError } from '../../src/core/errors';
import { createCertificateAuthority, issueClientCertificate } from '../../src/sandbox/pki';
import { encodePkcs12 } from '../../src/sandbox/pki/pkcs12';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// Destination service certificates on the sandbox: it refuses what SAP's service refuses (a name without a
// format extension, content that is not that format, non-strict base64, a taken name), and deleting one that a
// seeded destination names is refused by the core with their names.

let f: SandboxFixture;
before(async () => {
  f = await startSandboxFixture();
});
after(async () => {
  await f.close();
});

const ca = createCertificateAuthority({ commonName: 'Certificates Test CA' });
const base64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');

describe('sandbox Destination service certificates', () => {
  it('refuses names without a format extension and content that is not the named format, with 400 and the reason', async () => {
    const post = (body: Record<string, string>) => f.api('/v1/subaccountCertificates', { method: 'POST', body });
    const cases: [Record<string, string>, RegExp][] = [
      [{ Name: 'truststore', Content: base64(ca.certPem) }, /must end in \.pem/],
      [{ Name: 'bad name.pem', Content: base64(ca.certPem) }, /only letters, digits/],
      [{ Name: 'client.p12', Content: base64(ca.certPem) }, /not a PKCS#12 file/],
      [{ Name: 'ts.pem', Content: base64('hello') }, /holds no PEM certificate/],
      [{ Name: 'ts.pem', Content: `${base64(ca.certPem).slice(0, 64)} ${base64(ca.certPem).slice(64)}` }, /base64 \(no line breaks/],
      [{ Name: 'ts.pem', Content: 'not*base64' }, /base64/],
    ];
    for (const [body, reason] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400, `${body.Name}: ${response.text}`);
      assert.match(response.json<{ ErrorMessage: string }>().ErrorMessage, reason);
    }
    assert.equal((await f.api('/v1/subaccountCertificates/truststore')).status, 404);
  });

  it('takes each format, answers 409 for a taken name, and lists public keys of PEM and DER certificates', async () => {
    const client = issueClientCertificate(ca, { commonName: 'cert-test-client' });
    const p12 = encodePkcs12({ certPem: client.certPem, keyPem: client.keyPem, password: 'pw', iterations: 1 });
    await f.client.createCertificate('instance', certificateRecord('it-client.p12', p12));
    await f.client.createCertificate('instance', certificateRecord('it-ca.cer', new X509Certificate(ca.certPem).raw));
    const taken = await f.api('/v1/instanceCertificates', { method: 'POST', body: { Name: 'it-ca.cer', Content: base64(ca.certPem) } });
    assert.equal(taken.status, 409);
    assert.equal(taken.json<{ ErrorMessage: string }>().ErrorMessage, 'Certificate with the specified name already exists');
    const keys = await f.client.getCertificatePublicKeys('instance', 'it-ca.cer');
    assert.deepEqual(
      keys.map((key) => key.SubjectDN),
      ['CN=Certificates Test CA'],
    );
    assert.deepEqual(await f.client.getCertificatePublicKeys('instance', 'it-client.p12'), []);
    const stored = await f.client.getCertificate('instance', 'it-ca.cer');
    const part = publicPartOf(stored);
    assert.equal(part.kind === 'certificates' && part.pem, new X509Certificate(ca.certPem).toString());
  });

  it('deleting a certificate named by seeded destinations is refused with their names; an unused one is deleted', async () => {
    const error = await deleteUnusedCertificate(f.client, 'subaccount', 'truststore.pem').then(
      () => assert.fail('deleted truststore.pem'),
      (caught: unknown) => caught,
    );
    assert.ok(isBtpError(error, ErrorCode.CertificateInUse), String(error));
    for (const name of ['internet-client-certificate', 'internet-client-certificate-pem', 'internet-truststore']) {
      assert.match(error.message, new RegExp(`destination "${name}" \\(TrustStoreLocation\\)`));
    }
    assert.equal((await f.client.getCertificate('subaccount', 'truststore.pem')).Name, 'truststore.pem');

    await f.client.createCertificate('subaccount', certificateRecord('unused.pem', Buffer.from(ca.certPem)));
    await deleteUnusedCertificate(f.client, 'subaccount', 'unused.pem');
    assert.ok(!(await f.client.listCertificates('subaccount')).some((certificate) => certificate.Name === 'unused.pem'));
  });
});
