import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { connect, createSecureContext, createServer, type TLSSocket } from 'node:tls';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate } from '../../../../src/sandbox/pki';
import { encodePkcs12 } from '../../../../src/sandbox/pki/pkcs12';

// Key generation (RSA 2048) is the slow part: one CA, one client and one server certificate for every test.
const ca = createCertificateAuthority({ commonName: 'PKCS12 Test CA' });
const client = issueClientCertificate(ca, { commonName: 'p12-client', organization: 'SAP SE' });
const server = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const password = 'keystore-pässword-1';
const keystore = encodePkcs12({ certPem: `${client.certPem}${ca.certPem}`, keyPem: client.keyPem, password, friendlyName: 'backend-client' });

const directory = mkdtempSync(join(tmpdir(), 'btp-connect-pkcs12-'));
const file = join(directory, 'keystore.p12');
writeFileSync(file, keystore);
after(() => rmSync(directory, { recursive: true, force: true }));

/** `openssl pkcs12 <args> -in <file>`; the password goes in through the environment, never argv. */
function openssl(args: readonly string[], pass: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'openssl',
      ['pkcs12', '-in', file, '-passin', 'env:P12_PASS', ...args],
      { env: { PATH: process.env.PATH ?? '', P12_PASS: pass } },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error('openssl is not installed (Debian: openssl)'));
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

describe('PKCS#12 keystore (sandbox PKI)', () => {
  it('openssl pkcs12 -info -noout -passin reads it: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) bags, SHA-256 MAC', async () => {
    const info = await openssl(['-info', '-noout'], password);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stderr, /MAC: sha256, Iteration 2048/);
    assert.match(info.stderr, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    assert.match(info.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    assert.equal(info.stderr.match(/Certificate bag/g)?.length, 2, 'leaf and CA');
  });

  it('openssl gives back the same certificates, in order, and the private key of the leaf', async () => {
    const out = await openssl(['-nodes'], password);
    assert.equal(out.code, 0, out.stderr);
    const pems = out.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    assert.deepEqual(
      pems.map((pem) => new X509Certificate(pem).fingerprint256),
      [client.certPem, ca.certPem].map((pem) => new X509Certificate(pem).fingerprint256),
    );
    const key = out.stdout.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0] ?? assert.fail(out.stdout);
    assert.ok(new X509Certificate(client.certPem).checkPrivateKey(createPrivateKey(key)));
    assert.match(out.stdout, /friendlyName: backend-client/);
    assert.match(out.stdout, /localKeyID: [0-9A-F ]+/, 'the key and its certificate are paired by localKeyId');
  });

  it('a wrong password fails the MAC, in openssl and in Node', async () => {
    const wrong = await openssl(['-info', '-noout'], 'keystore-password-2');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /mac verify (failure|error)/i);
    assert.throws(() => createSecureContext({ pfx: keystore, passphrase: 'keystore-password-2' }), /mac verify failure/);
  });

  it("Node's TLS client presents it as pfx + passphrase, and an mTLS server that trusts the CA accepts the client", async () => {
    const tlsServer = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => {
      const peer = socket.getPeerCertificate();
      socket.end(`${String(peer.subject?.CN)} ${String(socket.authorized)}`);
    });
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    try {
      const { port } = tlsServer.address() as AddressInfo;
      const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.certPem, pfx: keystore, passphrase: password });
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      await once(socket, 'end');
      socket.destroy();
      assert.equal(answer, 'p12-client true');
    } finally {
      tlsServer.close();
    }
  });

  it("refuses an empty password, a key that is not the certificate's and text without a certificate, naming the field", () => {
    const other = issueClientCertificate(ca, { commonName: 'other' });
    const cases: [Parameters<typeof encodePkcs12>[0], string][] = [
      [{ certPem: client.certPem, keyPem: client.keyPem, password: '' }, 'password'],
      [{ certPem: client.certPem, keyPem: other.keyPem, password }, 'keyPem'],
      [{ certPem: client.keyPem, keyPem: client.keyPem, password }, 'certPem'],
      [{ certPem: client.certPem, keyPem: 'not a key', password }, 'keyPem'],
    ];
    for (const [input, field] of cases) {
      assert.throws(
        () => encodePkcs12(input),
        (error: unknown) => isBtpError(error) && error.code === ErrorCode.InvalidInput && error.field === field && error.message.includes(field),
        field,
      );
    }
  });
});
