import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, rootCertificates } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { loadNetwork } from '../../../../src/core/http/network';
import { readSystemCertificates, splitPem } from '../../../../src/core/http/systemCertificates';
import { Trust } from '../../../../src/core/http/trust';
import { createCertificateAuthority, issueServerCertificate } from '../../../../src/sandbox/pki';

// What outbound TLS trusts: Node's CAs stay when CAs are added (the old --ca replaced them, and with them
// NODE_EXTRA_CA_CERTS), the OS store is read where Node offers no API, duplicates are dropped.

const ca = createCertificateAuthority({ commonName: 'Extra Test CA' });
const other = createCertificateAuthority({ commonName: 'Other Test CA' });
const leaf = issueServerCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'] });
let server: Server;
let port: number;
let dir: string;

before(async () => {
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  dir = await mkdtemp(join(tmpdir(), 'btp-trust-'));
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Whether a TLS connection with `options` verifies the test server's certificate. */
function verifies(options: object): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('Trust', () => {
  it("adds CAs to Node's store: the extra CA verifies, and Node's own CAs are still there", async () => {
    const trust = new Trust({ extra: [{ source: '--ca', pems: [ca.certPem] }] });
    assert.equal(await verifies(trust.tlsOptions()), true);
    assert.equal(await verifies(new Trust().tlsOptions()), false);
    assert.equal(await verifies(new Trust({ extra: [{ source: '--ca', pems: [other.certPem] }] }).tlsOptions()), false);
    assert.deepEqual(trust.extras(), [ca.certPem]);
    // A CA Node bundles is no extra: nothing to add, Node's default context stays in use.
    assert.deepEqual(new Trust({ extra: [{ source: 'bundle', pems: [rootCertificates[0] ?? ''] }] }).tlsOptions(), {});
  });

  it("NODE_EXTRA_CA_CERTS and --ca both apply (loadNetwork reads the environment's file itself)", async () => {
    const extraFile = join(dir, 'extra.pem');
    const caFile = join(dir, 'ca.pem');
    await writeFile(extraFile, ca.certPem);
    await writeFile(caFile, other.certPem);
    const network = await loadNetwork({ caFiles: [{ path: caFile, field: 'ca', label: '--ca' }], env: { NODE_EXTRA_CA_CERTS: extraFile } });
    assert.equal(await verifies(network.trust.tlsOptions()), true);
    assert.match(network.trust.describe(), /^Node's CAs \(\d+\), NODE_EXTRA_CA_CERTS .*extra\.pem \(1\), --ca .*ca\.pem \(1\)$/);
    const unreadable = await loadNetwork({ env: { NODE_EXTRA_CA_CERTS: join(dir, 'gone.pem') } });
    assert.match(unreadable.trust.describe(), /NODE_EXTRA_CA_CERTS .*gone\.pem unreadable \(ENOENT\) \(0\)/);
  });

  it("the OS store: Node's API where it exists, else on Linux the bundle file (SSL_CERT_FILE first)", async () => {
    const bundle = join(dir, 'bundle.pem');
    await writeFile(bundle, `# a comment\n${ca.certPem}\n${other.certPem}`);
    const system = readSystemCertificates({ SSL_CERT_FILE: bundle }, 'linux');
    if (system.source === 'OS trust store') return; // Node 22.15+: its own API answers, not the file.
    assert.equal(system.source, bundle);
    assert.equal(system.pems.length, 2);
    assert.equal(await verifies(new Trust({ systemCa: true, env: { SSL_CERT_FILE: bundle } }).tlsOptions()), true);
    assert.equal(readSystemCertificates({}, 'darwin').available, false);
  });

  it('splitPem keeps certificate blocks only', () => {
    assert.equal(splitPem(`junk\n${ca.certPem}-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n${other.certPem}`).length, 2);
  });
});
