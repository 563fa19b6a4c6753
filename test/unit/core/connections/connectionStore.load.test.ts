import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { ConnectivityBinding, DestinationBinding, XsuaaBinding } from '../../../../src/core/bindings/types';
import { ConnectionStore } from '../../../../src/core/connections/connectionStore';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { connectivityKey, destinationKey, x509, xsuaaKey } from '../../../support/bindingFixtures';

// Opening a saved connection reads its secrets from the OS keychain, one D-Bus (or OS) call each: they do not depend
// on each other, so a cold `forward` or window waits for one call, not three; a missing one is still reported first
// in the order destination, connectivity, sign-in key.

const destination = parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding;
const connectivity = parseCredentials(connectivityKey(), { expected: 'connectivity' }) as ConnectivityBinding;
const login = parseCredentials(xsuaaKey(), { expected: 'xsuaa' }) as XsuaaBinding;

/** A secret store whose reads take two turns of the event loop and that records how many were open at once. */
class SlowSecrets extends MemorySecretStore {
  inFlight = 0;
  maxInFlight = 0;
  override async get(key: string): Promise<string | undefined> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await nextTurn();
    await nextTurn();
    this.inFlight--;
    return super.get(key);
  }
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-load-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ConnectionStore.load', () => {
  it('reads the secrets of every part at once and returns the same bindings', async () => {
    const secrets = new SlowSecrets();
    const connections = new ConnectionStore(secrets, join(dir, 'parallel'));
    await connections.add('dev', { destination, connectivity, login });
    secrets.maxInFlight = 0;
    const loaded = await connections.load('dev');
    assert.equal(loaded.destination.credentials.clientsecret, destination.credentials.clientsecret);
    assert.equal(loaded.connectivity?.credentials.clientid, connectivity.credentials.clientid);
    assert.equal(loaded.login?.credentials.clientid, login.credentials.clientid);
    // Three parts, each with the one secret field it was saved with (clientsecret).
    assert.equal(secrets.maxInFlight, 3);
  });

  it('reads only the secret fields a part was saved with; a file from before that record looks for all of them', async () => {
    const secrets = new SlowSecrets();
    const connections = new ConnectionStore(secrets, join(dir, 'fields'));
    const x509Destination = parseCredentials(x509(destinationKey()), { expected: 'destination' }) as DestinationBinding;
    await connections.add('dev', { destination: x509Destination, connectivity });
    const read: string[] = [];
    const get = secrets.get.bind(secrets);
    secrets.get = (key) => {
      read.push(key);
      return get(key);
    };
    const loaded = await connections.load('dev');
    assert.equal(loaded.destination.auth.kind, 'x509');
    assert.deepEqual(read.sort(), ['connection/dev/connectivity/clientsecret', 'connection/dev/destination/key']);

    const file = join(dir, 'fields', 'connections.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { connections: { bindings: Record<string, { secretFields?: string[] }> }[] };
    for (const binding of Object.values(stored.connections[0]?.bindings ?? {})) delete binding.secretFields;
    await writeFile(file, JSON.stringify(stored));
    read.length = 0;
    const old = await connections.load('dev');
    assert.equal(old.connectivity?.credentials.clientsecret, connectivity.credentials.clientsecret);
    assert.equal(read.length, 4, 'both fields of both parts');
  });

  it('a connection connected again with a key of the other kind keeps no secret of the first', async () => {
    const secrets = new MemorySecretStore();
    const connections = new ConnectionStore(secrets, join(dir, 'kinds'));
    const x509Destination = parseCredentials(x509(destinationKey()), { expected: 'destination' }) as DestinationBinding;
    await connections.add('dev', { destination: x509Destination });
    assert.deepEqual(secrets.keys(), ['connection/dev/destination/key']);
    await connections.add('dev', { destination }, { replace: true });
    assert.deepEqual(secrets.keys(), ['connection/dev/destination/clientsecret']);
    assert.equal((await connections.load('dev')).destination.auth.kind, 'secret');
  });

  it('reports the first missing secret in part order, whichever read ends first', async () => {
    const secrets = new SlowSecrets();
    const connections = new ConnectionStore(secrets, join(dir, 'missing'));
    await connections.add('dev', { destination, login });
    await secrets.delete('connection/dev/destination/clientsecret');
    await secrets.delete('connection/dev/login/clientsecret');
    await assert.rejects(connections.load('dev'), (error) => isBtpError(error, ErrorCode.ConnectionNotFound) && /The destination secret/.test(error.message));
  });
});
