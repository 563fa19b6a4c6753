import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExitCode } from '../../src/cli/exitCodes';
import { MemorySecretStore } from '../support/memorySecretStore';
import { createCertificateAuthority } from '../../src/sandbox/pki';
import { runCli } from '../support/cliHarness';
import { startSandboxFixture, type SandboxFixture } from '../support/sandboxFixture';

// `btp-connect certificates` in-process against the sandbox: list, upload, download without the key, delete.

let f: SandboxFixture;
let dir: string;
const secrets = new MemorySecretStore();
const cli = (...argv: string[]) => runCli([...argv, '--key', 'destination.json'], { cwd: dir, env: { BTP_CONNECT_CONFIG_DIR: join(dir, 'config') }, secrets });

before(async () => {
  f = await startSandboxFixture();
  dir = await mkdtemp(join(tmpdir(), 'btp-cli-certificates-'));
  await writeFile(join(dir, 'destination.json'), JSON.stringify(f.sandbox.keys.destination));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('btp-connect certificates', () => {
  it('lists the seeded certificates with type, subject and expiry', async () => {
    const table = await cli('certificates', 'list');
    assert.equal(table.code, ExitCode.Ok, table.stderr);
    assert.match(table.stdout, /^NAME +TYPE +SUBJECT +EXPIRES$/m);
    assert.match(table.stdout, /^truststore\.pem +pem +O=BTP Connect sandbox, CN=BTP Connect Sandbox CA +\d{4}-\d\d-\d\d$/m);
    assert.match(table.stdout, /^backend-client\.p12 +pkcs12 *$/m);
  });

  it('uploads a .der as .cer, downloads only the certificate, refuses a named one and deletes an unnamed one', async () => {
    const ca = createCertificateAuthority({ commonName: 'CLI Upload CA' });
    await writeFile(join(dir, 'cli-ca.der'), new X509Certificate(ca.certPem).raw);
    const upload = await cli('certificates', 'upload', 'cli-ca.der', '--level', 'instance');
    assert.equal(upload.code, ExitCode.Ok, upload.stderr);
    assert.match(upload.stdout, /Uploaded cli-ca\.cer at instance level/);

    const download = await cli('certificates', 'download', 'backend-client.pem', '--out', 'client.pem');
    assert.equal(download.code, ExitCode.Ok, download.stderr);
    const pem = await readFile(join(dir, 'client.pem'), 'utf8');
    assert.match(pem, /BEGIN CERTIFICATE/);
    assert.doesNotMatch(pem, /PRIVATE KEY/);
    const locked = await cli('certificates', 'download', 'backend-client.p12');
    assert.equal(locked.code, ExitCode.InvalidInput);
    assert.match(locked.stderr, /PKCS#12 keystore/);

    const inUse = await cli('certificates', 'delete', 'backend-client.p12');
    assert.equal(inUse.code, ExitCode.Conflict);
    assert.match(inUse.stderr, /destination "internet-client-certificate" \(KeyStoreLocation\)/);
    const deleted = await cli('certificates', 'delete', 'cli-ca.cer', '--level', 'instance');
    assert.equal(deleted.code, ExitCode.Ok, deleted.stderr);
    assert.doesNotMatch((await cli('certificates', 'list', '--level', 'instance')).stdout, /cli-ca/);

    const bad = await cli('certificates', 'upload', 'client.pem', '--name', 'client');
    assert.equal(bad.code, ExitCode.InvalidInput);
    assert.match(bad.stderr, /must end in \.pem/);
  });
});
