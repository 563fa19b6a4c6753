import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { AsyncEntry } from '@napi-rs/keyring';
import { KeychainSecretStore } from '../../src/core/secrets/keychainStore';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { cliPath } from '../support/sandboxProcess';

// Runs inside test/support/with-keyring.sh: a private D-Bus session with an unlocked gnome-keyring, so these
// tests use a real Secret Service through @napi-rs/keyring, exactly as the CLI and the extension do.

const execFileAsync = promisify(execFile);
const service = `btp-connect-test-${process.pid}`;
let dir: string;
let sandbox: Sandbox;

before(async () => {
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'run through test/support/with-keyring.sh');
  dir = await mkdtemp(join(tmpdir(), 'btp-keychain-'));
  sandbox = await startSandbox({ portBase: 0 });
  await writeFile(join(dir, 'destination.json'), JSON.stringify(sandbox.keys.destination));
  await writeFile(join(dir, 'destination-x509.json'), JSON.stringify(sandbox.keys.destinationX509));
  await writeFile(join(dir, 'ca.pem'), sandbox.caPem);
});
after(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

describe('KeychainSecretStore against a real Secret Service', () => {
  it('stores, reads back and deletes a secret; a missing key reads as undefined', async () => {
    const store = new KeychainSecretStore(service);
    await store.set('a/b', 'värde-1 with spaces');
    assert.equal(await store.get('a/b'), 'värde-1 with spaces');
    assert.equal(await new AsyncEntry(service, 'a/b').getPassword(), 'värde-1 with spaces', 'a plain keychain entry other tools can read');
    await store.delete('a/b');
    assert.equal(await store.get('a/b'), undefined);
    await store.delete('a/b');
  });

  it('keeps a long value (a private key, kept tokens) in one entry, one D-Bus read', async () => {
    const store = new KeychainSecretStore(service);
    const long = 'y'.repeat(6000);
    await store.set('whole', long);
    assert.equal(await new AsyncEntry(service, 'whole').getPassword(), long);
    assert.equal(await store.get('whole'), long);
    await store.delete('whole');
  });

  it('splits long values into chunk entries where asked (as on Windows) and removes every chunk on replace and delete', async () => {
    const store = new KeychainSecretStore(service, undefined, { chunkSize: 1800 });
    const long = 'x'.repeat(1800 * 3 + 7);
    await store.set('long', long);
    assert.equal(await store.get('long'), long);
    assert.equal(await new AsyncEntry(service, 'long').getPassword(), 'btp-connect-chunks:4');
    await store.set('long', 'short now');
    assert.equal(await store.get('long'), 'short now');
    assert.equal(await new AsyncEntry(service, 'long#0').getPassword(), null);
    await store.set('long', long);
    await store.delete('long');
    for (const account of ['long', 'long#0', 'long#3']) assert.equal(await new AsyncEntry(service, account).getPassword(), null, account);
  });
});

describe('btp-connect connect with the OS keychain', () => {
  const env = () => ({ ...process.env, BTP_CONNECT_CONFIG_DIR: join(dir, 'config'), NODE_OPTIONS: '' });
  const cli = (...args: string[]) => execFileAsync(process.execPath, [cliPath, ...args], { cwd: dir, env: env() });

  it('keeps the client secret and the X.509 private key in the keychain, not in connections.json; another process uses them; disconnect removes them', async () => {
    await cli('connect', 'sandbox', '--key', 'destination.json');
    await cli('connect', 'sandbox-x509', '--key', 'destination-x509.json');
    const file = join(dir, 'config', 'connections.json');
    const text = await readFile(file, 'utf8');
    assert.equal((await stat(file)).mode & 0o077, 0, 'connections.json is private to the user');
    const keyBody = String(sandbox.keys.destinationX509.key).split('\n')[1] ?? '';
    for (const secret of [String(sandbox.keys.destination.clientsecret), keyBody]) assert.equal(text.includes(secret), false);

    const store = new KeychainSecretStore();
    assert.equal(await store.get('connection/sandbox/destination/clientsecret'), sandbox.keys.destination.clientsecret);
    assert.equal(await store.get('connection/sandbox-x509/destination/key'), sandbox.keys.destinationX509.key);

    const tokenRequests = () => sandbox.tokenService.requestCount.get(String(sandbox.keys.destination.clientid)) ?? 0;
    const before = tokenRequests();
    const { stdout } = await cli('ls', '--connection', 'sandbox', '--level', 'instance');
    assert.match(stdout, /^instance-api +instance/m);
    // Issue 18: the next process takes the token the first kept in the keychain (one entry, read whole).
    assert.match((await cli('get', 'instance-api', '--connection', 'sandbox')).stdout, /instance-api/);
    assert.equal(tokenRequests(), before + 1);
    assert.match((await store.get('connection/sandbox/kept-tokens')) ?? '', /"destination"/);
    assert.match((await new AsyncEntry('btp-connect', 'connection/sandbox/kept-tokens').getPassword()) ?? '', /^\{"version":1/);
    const x509 = await cli('ls', '--connection', 'sandbox-x509', '--level', 'instance', '--ca', 'ca.pem');
    assert.match(x509.stdout, /^x509-instance-api +instance/m);

    await cli('disconnect', 'sandbox');
    await cli('disconnect', 'sandbox-x509');
    assert.equal(await store.get('connection/sandbox/destination/clientsecret'), undefined);
    assert.equal(await store.get('connection/sandbox-x509/destination/key'), undefined);
    assert.equal(await store.get('connection/sandbox/kept-tokens'), undefined);
    assert.equal(await new AsyncEntry('btp-connect', 'connection/sandbox-x509/destination/key#0').getPassword(), null);
  });

  it('without a reachable keychain, connect fails with exit code 8 and writes nothing', async () => {
    const noKeychain = { ...env(), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', BTP_CONNECT_CONFIG_DIR: join(dir, 'no-keychain') };
    const result = await execFileAsync(process.execPath, [cliPath, 'connect', 'x', '--key', 'destination.json'], { cwd: dir, env: noKeychain }).then(
      () => assert.fail('connect should fail'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(result.code, 8);
    assert.match(result.stderr, /^OS keychain unavailable \[BTP_KEYCHAIN_UNAVAILABLE\]: .*never written to a file/m);
    await assert.rejects(stat(join(dir, 'no-keychain', 'connections.json')), { code: 'ENOENT' });
  });
});
