import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import * as der from '../../../../src/sandbox/pki/der';
import { childrenOf, contentOf, encodingOf, readElement } from '../../../../src/sandbox/pki/der-reader';
import { ipAddressOctets } from '../../../../src/sandbox/pki/ip';
import { Oid } from '../../../../src/sandbox/pki/oids';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate } from '../../../../src/sandbox/pki';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** The extension with `oid` in a certificate, read with the PKI's own DER reader. */
function extension(cert: X509Certificate, oid: string): { critical: boolean; value: Buffer } | undefined {
  const raw = cert.raw;
  const tbsFields = childrenOf(raw, childrenOf(raw, readElement(raw))[0] ?? assert.fail('no TBSCertificate'));
  const wrapper = tbsFields.find((field) => field.tag === 0xa3) ?? assert.fail('no extensions');
  const list = childrenOf(raw, wrapper)[0] ?? assert.fail('empty [3]');
  for (const ext of childrenOf(raw, list)) {
    const parts = childrenOf(raw, ext);
    if (parts[0] && encodingOf(raw, parts[0]).equals(der.objectIdentifier(oid))) {
      const value = parts[parts.length - 1] ?? assert.fail('extension without value');
      return { critical: parts.length === 3, value: contentOf(raw, value) };
    }
  }
  return undefined;
}

// Key generation is the slow part (RSA 2048), so every fixture is made once.
const issuedFrom = Date.now();
const ca = createCertificateAuthority({ commonName: 'BTP Connect Sandbox CA', organization: 'BTP Connect Überprüfung' });
const otherCa = createCertificateAuthority({ commonName: 'Some Other CA' });
const tenantHosts = ['provider.localhost', 'tenant-a.localhost', 'tenant-b.localhost'];
const server = issueServerCertificate(ca, { commonName: 'provider.localhost', dnsNames: tenantHosts, ipAddresses: ['127.0.0.1', '::1'], validDays: 30 });
const client = issueClientCertificate(ca, { commonName: 'sb-client', organization: 'SAP SE', organizationalUnits: ['SAP Cloud Platform Clients', 'eu10'] });
const issuedUntil = Date.now();

const caCert = new X509Certificate(ca.certPem);
const otherCaCert = new X509Certificate(otherCa.certPem);
const serverCert = new X509Certificate(server.certPem);
const clientCert = new X509Certificate(client.certPem);

describe('der', () => {
  it('encodes lengths in short form below 128 and in 0x81/0x82/0x83 long forms above', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [5, '05'],
      [127, '7f'],
      [128, '8180'],
      [255, '81ff'],
      [256, '820100'],
      [65_535, '82ffff'],
      [65_536, '83010000'],
    ];
    for (const [length, expected] of cases) assert.equal(hex(der.encodeLength(length)), expected, `length ${length}`);
    assert.equal(hex(der.octetString(Buffer.alloc(200)).subarray(0, 3)), '0481c8');
    assert.equal(hex(der.octetString(Buffer.alloc(300)).subarray(0, 4)), '0482012c');
  });

  it('writes INTEGERs minimally, with a leading zero only where the high bit is set', () => {
    const cases: [bigint | number | Uint8Array, string][] = [
      [0, '020100'],
      [127, '02017f'],
      [128, '02020080'],
      [256, '02020100'],
      [2n ** 64n, '0209010000000000000000'],
      [Buffer.from([0, 0, 1]), '020101'],
      [Buffer.from([0x80]), '02020080'],
      [Buffer.from([0, 0x80]), '02020080'],
      [Buffer.from([0, 0, 0]), '020100'],
      [Buffer.alloc(0), '020100'],
    ];
    for (const [value, expected] of cases) assert.equal(hex(der.integer(value)), expected, `integer ${String(value)}`);
    assert.throws(() => der.integer(-1), RangeError);
  });

  it('encodes object identifiers, named bit strings and sorted SETs', () => {
    assert.equal(hex(der.objectIdentifier(Oid.sha256WithRSAEncryption)), '06092a864886f70d01010b');
    assert.equal(hex(der.objectIdentifier(Oid.subjectAltName)), '0603551d11');
    assert.throws(() => der.objectIdentifier('3.1'), RangeError);
    assert.equal(hex(der.namedBitString([5, 6])), '03020106'); // keyCertSign + cRLSign
    assert.equal(hex(der.namedBitString([0, 2])), '030205a0'); // digitalSignature + keyEncipherment
    assert.equal(hex(der.namedBitString([8])), '0303070080');
    assert.equal(hex(der.set(der.integer(2), der.integer(1))), '3106020101020102');
  });

  it('uses UTCTime for 1950-2049 and GeneralizedTime outside', () => {
    const text = (date: string) => {
      const encoded = der.time(new Date(date));
      return [encoded[0], contentOf(encoded, readElement(encoded)).toString('ascii')];
    };
    assert.deepEqual(text('2049-12-31T23:59:59.999Z'), [der.Tag.UtcTime, '491231235959Z']);
    assert.deepEqual(text('2050-01-01T00:00:00Z'), [der.Tag.GeneralizedTime, '20500101000000Z']);
    assert.deepEqual(text('1950-01-01T00:00:00Z'), [der.Tag.UtcTime, '500101000000Z']);
    assert.deepEqual(text('1949-12-31T23:59:59Z'), [der.Tag.GeneralizedTime, '19491231235959Z']);
  });

  it('reads back what it writes and refuses indefinite or overlong lengths', () => {
    const encoded = der.sequence(der.octetString(Buffer.alloc(300, 7)), der.nullValue());
    const [first, second] = childrenOf(encoded, readElement(encoded));
    assert.equal(first?.tag, der.Tag.OctetString);
    assert.equal(contentOf(encoded, first ?? assert.fail()).length, 300);
    assert.equal(second?.tag, der.Tag.Null);
    assert.throws(() => readElement(Buffer.from('3080', 'hex')), RangeError);
    assert.throws(() => readElement(Buffer.from('0405010203', 'hex')), RangeError);
  });
});

describe('ipAddressOctets', () => {
  it('turns IPv4 and IPv6 text into 4 or 16 octets', () => {
    assert.equal(hex(ipAddressOctets('127.0.0.1') ?? assert.fail()), '7f000001');
    assert.equal(hex(ipAddressOctets('::1') ?? assert.fail()), '00000000000000000000000000000001');
    assert.equal(hex(ipAddressOctets('::') ?? assert.fail()), '0'.repeat(32));
    assert.equal(hex(ipAddressOctets('2001:db8::8:800:200c:417a') ?? assert.fail()), '20010db80000000000080800200c417a');
    assert.equal(hex(ipAddressOctets('fe80::') ?? assert.fail()), `fe80${'0'.repeat(28)}`);
    assert.equal(hex(ipAddressOctets('::ffff:10.0.0.1') ?? assert.fail()), '00000000000000000000ffff0a000001');
  });

  it('refuses zone ids and anything that is not an IP literal', () => {
    for (const text of ['fe80::1%eth0', 'localhost', '1.2.3', '256.0.0.1', '']) assert.equal(ipAddressOctets(text), undefined, text);
  });
});

describe('createCertificateAuthority', () => {
  it('makes a self-signed v3 CA with CA:TRUE, keyCertSign+cRLSign and a subject key id', () => {
    assert.equal(caCert.subject, 'O=BTP Connect Überprüfung\nCN=BTP Connect Sandbox CA');
    assert.equal(caCert.issuer, caCert.subject);
    assert.equal(caCert.ca, true);
    assert.equal(caCert.verify(caCert.publicKey), true);
    assert.equal(caCert.verify(otherCaCert.publicKey), false);
    assert.deepEqual(extension(caCert, Oid.basicConstraints), { critical: true, value: Buffer.from('30030101ff', 'hex') });
    assert.deepEqual(extension(caCert, Oid.keyUsage), { critical: true, value: Buffer.from('03020106', 'hex') });
    assert.equal(extension(caCert, Oid.subjectKeyIdentifier)?.value.length, 2 + 20);
    assert.equal(caCert.keyUsage, undefined);
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('gives random, positive 16-byte serial numbers', () => {
    for (const cert of [caCert, otherCaCert, serverCert, clientCert]) assert.match(cert.serialNumber, /^[4-7][0-9A-F]{31}$/);
    assert.equal(new Set([caCert, otherCaCert, serverCert, clientCert].map((cert) => cert.serialNumber)).size, 4);
  });

  it('starts validity an hour back and ends validDays ahead, switching to GeneralizedTime after 2049', () => {
    const validFrom = Date.parse(caCert.validFrom);
    const validTo = Date.parse(caCert.validTo);
    assert.ok(validFrom >= issuedFrom - hourMs - 1000 && validFrom <= issuedUntil - hourMs, caCert.validFrom);
    assert.ok(validTo >= issuedFrom + 3650 * dayMs - 1000 && validTo <= issuedUntil + 3650 * dayMs, caCert.validTo);

    const century = new X509Certificate(createCertificateAuthority({ commonName: 'Long', validDays: 36_500 }).certPem);
    assert.ok(Math.abs(Date.parse(century.validTo) - (Date.now() + 36_500 * dayMs)) < 60_000, century.validTo);
  });

  it('reports every invalid option at once as BTP_INVALID_INPUT', () => {
    assert.throws(
      () => createCertificateAuthority({ commonName: '', organization: 'x'.repeat(65), validDays: 0 }),
      (error: unknown) => isBtpError(error, ErrorCode.InvalidInput) && error.issues.map((i) => i.field).join() === 'commonName,organization,validDays',
    );
  });
});

describe('issueServerCertificate', () => {
  it('names every tenant host and IP in the subjectAltName, and no other host', () => {
    assert.equal(serverCert.subject, 'CN=provider.localhost');
    assert.equal(serverCert.issuer, caCert.subject);
    assert.equal(serverCert.ca, false);
    for (const host of tenantHosts) assert.equal(serverCert.checkHost(host), host);
    assert.equal(serverCert.checkHost('other.localhost'), undefined);
    assert.equal(serverCert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(serverCert.checkIP('::1'), '::1');
    assert.equal(serverCert.checkIP('127.0.0.2'), undefined);
    assert.equal(
      serverCert.subjectAltName,
      'DNS:provider.localhost, DNS:tenant-a.localhost, DNS:tenant-b.localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
  });

  it('is signed by its CA only and valid for validDays', () => {
    assert.equal(serverCert.verify(caCert.publicKey), true);
    assert.equal(serverCert.verify(otherCaCert.publicKey), false);
    assert.equal(serverCert.checkIssued(caCert), true);
    const validTo = Date.parse(serverCert.validTo);
    assert.ok(validTo >= issuedFrom + 30 * dayMs - 1000 && validTo <= issuedUntil + 30 * dayMs, serverCert.validTo);
    assert.ok(Date.parse(serverCert.validFrom) <= issuedUntil - hourMs, serverCert.validFrom);
  });

  it('is a leaf for serverAuth whose authority key id is the CA subject key id', () => {
    assert.deepEqual(serverCert.keyUsage, [Oid.serverAuth]);
    assert.deepEqual(extension(serverCert, Oid.basicConstraints), { critical: true, value: Buffer.from('3000', 'hex') });
    assert.deepEqual(extension(serverCert, Oid.keyUsage), { critical: true, value: Buffer.from('030205a0', 'hex') });
    const caKeyId = (extension(caCert, Oid.subjectKeyIdentifier) ?? assert.fail()).value.subarray(2);
    assert.equal(hex((extension(serverCert, Oid.authorityKeyIdentifier) ?? assert.fail()).value), `30168014${hex(caKeyId)}`);
  });

  it('refuses bad names, IPs in dnsNames, zone ids, an empty SAN and a CA it cannot use', () => {
    const fields = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        assert.ok(isBtpError(error, ErrorCode.InvalidInput), String(error));
        return error.issues.map((i) => `${i.field}:${i.problem}`);
      }
      return assert.fail('no error');
    };
    assert.deepEqual(
      fields(() => issueServerCertificate(ca, { commonName: 'x', dnsNames: ['bad host', '127.0.0.1', 'ok.localhost'], ipAddresses: ['fe80::1%eth0'] })),
      ['dnsNames[0]:invalid_dns_name', 'dnsNames[1]:ip_as_dns_name', 'ipAddresses[0]:invalid_ip'],
    );
    assert.deepEqual(
      fields(() => issueServerCertificate(ca, { commonName: 'x', dnsNames: [] })),
      ['dnsNames:required'],
    );
    assert.deepEqual(
      fields(() => issueServerCertificate(server, { commonName: 'x', dnsNames: ['a.localhost'] })),
      ['certPem:not_a_ca'],
    );
    assert.deepEqual(
      fields(() => issueServerCertificate({ certPem: ca.certPem, keyPem: otherCa.keyPem }, { commonName: 'x', dnsNames: ['a.localhost'] })),
      ['keyPem:key_mismatch'],
    );
    assert.deepEqual(
      fields(() => issueServerCertificate({ certPem: 'nope', keyPem: ca.keyPem }, { commonName: 'x', dnsNames: ['a.localhost'] })),
      ['certPem:invalid_certificate'],
    );
  });
});

describe('issueClientCertificate', () => {
  it('makes a clientAuth leaf with O, OU..., CN and no subjectAltName', () => {
    assert.equal(clientCert.subject, 'O=SAP SE\nOU=SAP Cloud Platform Clients\nOU=eu10\nCN=sb-client');
    assert.equal(clientCert.issuer, caCert.subject);
    assert.equal(clientCert.ca, false);
    assert.equal(clientCert.verify(caCert.publicKey), true);
    assert.equal(clientCert.verify(otherCaCert.publicKey), false);
    assert.deepEqual(clientCert.keyUsage, [Oid.clientAuth]);
    assert.equal(clientCert.subjectAltName, undefined);
    assert.deepEqual(extension(clientCert, Oid.keyUsage), { critical: true, value: Buffer.from('030205a0', 'hex') });
    const validTo = Date.parse(clientCert.validTo);
    assert.ok(validTo >= issuedFrom + 825 * dayMs - 1000 && validTo <= issuedUntil + 825 * dayMs, clientCert.validTo);
  });
});

/** Serves `listener` over HTTPS on a loopback port 0 for the duration of `body`, then closes the server. */
async function withServer(options: https.ServerOptions, listener: RequestListener, body: (port: number) => Promise<void>): Promise<void> {
  const httpsServer = https.createServer(options, listener);
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
  try {
    await body((httpsServer.address() as AddressInfo).port);
  } finally {
    httpsServer.closeAllConnections();
    await new Promise((resolve) => httpsServer.close(resolve));
  }
}

/** One GET without connection reuse; resolves with the body text. */
function get(options: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', path: '/', agent: false, ...options }, (response: IncomingMessage) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

describe('TLS over loopback', () => {
  const hello: RequestListener = (_request, response) => response.end('hello');

  it('completes a handshake for a host in the SAN and fails with ERR_TLS_CERT_ALTNAME_INVALID outside it', async () => {
    await withServer({ key: server.keyPem, cert: server.certPem }, hello, async (port) => {
      assert.equal(await get({ port, ca: ca.certPem, servername: 'provider.localhost' }), 'hello');
      assert.equal(await get({ port, ca: ca.certPem, servername: 'tenant-b.localhost' }), 'hello');
      await assert.rejects(get({ port, ca: ca.certPem, servername: 'elsewhere.localhost' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      await assert.rejects(get({ port, ca: otherCa.certPem, servername: 'provider.localhost' }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    });
  });

  it('is trusted by an unchanged Node client through NODE_EXTRA_CA_CERTS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btp-pki-'));
    try {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, ca.certPem);
      await withServer({ key: server.keyPem, cert: server.certPem }, hello, async (port) => {
        const script = `require('node:https').get({ host: '127.0.0.1', port: ${port}, servername: 'provider.localhost', agent: false }, (r) => r.pipe(process.stdout))
          .on('error', (e) => { process.stderr.write(String(e.code)); process.exitCode = 1; });`;
        const stdout = await new Promise<string>((resolve, reject) => {
          execFile(process.execPath, ['-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile } }, (error, out, err) =>
            error ? reject(new Error(`${error.message}: ${err}`)) : resolve(out),
          );
        });
        assert.equal(stdout, 'hello');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The server answers with what it learned about the peer; `peers` proves the handler really ran.
  const peers: string[] = [];
  const whoami: RequestListener = (request, response) => {
    const socket = request.socket as TLSSocket;
    const cn = String(socket.getPeerCertificate().subject?.CN);
    peers.push(cn);
    response.end(JSON.stringify({ authorized: socket.authorized, error: socket.authorizationError ?? null, cn }));
  };
  const mtlsOptions = { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true };
  const stranger = issueClientCertificate(otherCa, { commonName: 'stranger' });

  it('authenticates a client certificate (mTLS) and lets the server read its CN', async () => {
    peers.length = 0;
    await withServer(mtlsOptions, whoami, async (port) => {
      const base = { port, ca: ca.certPem, servername: 'provider.localhost' };
      assert.deepEqual(JSON.parse(await get({ ...base, cert: client.certPem, key: client.keyPem })), { authorized: true, error: null, cn: 'sb-client' });
      // rejectUnauthorized (the default with requestCert) ends these handshakes before any request. The TLS 1.3
      // client may already have sent its request, so a reset can overtake the alert.
      await assert.rejects(get(base), (error: NodeJS.ErrnoException) =>
        ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ECONNRESET'].includes(String(error.code)),
      );
      await assert.rejects(get({ ...base, cert: stranger.certPem, key: stranger.keyPem }));
    });
    assert.deepEqual(peers, ['sb-client']);
  });

  it('refuses, for the right reason, a client certificate from another CA and a server certificate used as one', async () => {
    await withServer({ ...mtlsOptions, rejectUnauthorized: false }, whoami, async (port) => {
      const base = { port, ca: ca.certPem, servername: 'provider.localhost' };
      assert.deepEqual(JSON.parse(await get({ ...base, cert: stranger.certPem, key: stranger.keyPem })), {
        authorized: false,
        error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        cn: 'stranger',
      });
      // Its extKeyUsage is serverAuth only, so OpenSSL will not accept it for clientAuth.
      assert.deepEqual(JSON.parse(await get({ ...base, cert: server.certPem, key: server.keyPem })), {
        authorized: false,
        error: 'INVALID_PURPOSE',
        cn: 'provider.localhost',
      });
    });
  });
});
