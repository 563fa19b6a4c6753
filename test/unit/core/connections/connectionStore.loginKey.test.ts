import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { DestinationBinding, XsuaaBinding } from '../../../../src/core/bindings/types';
import { ConnectionStore } from '../../../../src/core/connections/connectionStore';
import { userSecretKey } from '../../../../src/core/secrets/secretKeys';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { MemorySecretStore } from '../../../support/memorySecretStore';
import { CANARY_KEY_BODY, CANARY_SECRET, destinationKey, thrown, x509, xsuaaKey } from '../../../support/bindingFixtures';

// A connection's sign-in key (the xsuaa binding of the user's app): stored like the other keys — secret in the
// secret store, the rest in connections.json — set, replaced and removed on its own, and gone with the connection.

const destination = parseCredentials(destinationKey(), { expected: 'destination' }) as DestinationBinding;
const login = parseCredentials(xsuaaKey(), { expected: 'xsuaa' }) as XsuaaBinding;
const otherLogin = parseCredentials(x509(xsuaaKey({ clientid: 'sb-other-app!t7' })), { expected: 'xsuaa' }) as XsuaaBinding;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btp-login-key-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(name: string, secrets = new MemorySecretStore()) {
  return { secrets, connections: new ConnectionStore(secrets, join(dir, name)), file: join(dir, name, 'connections.json') };
}

describe('ConnectionStore: the sign-in key', () => {
  it('is saved with the connection: its secret in the secret store only, the rest in connections.json', async () => {
    const { secrets, connections, file } = store('add');
    await connections.add('dev', { destination, login });
    assert.deepEqual(secrets.keys().sort(), ['connection/dev/destination/clientsecret', 'connection/dev/login/clientsecret']);
    const text = await readFile(file, 'utf8');
    assert.doesNotMatch(text, new RegExp(CANARY_SECRET.replace(/\$/g, '\\$')));
    assert.match(text, /"login"/);
    const loaded = await connections.load('dev');
    assert.equal(loaded.login?.kind, 'xsuaa');
    assert.equal(loaded.login?.clientId, login.clientId);
    assert.deepEqual(loaded.login?.auth, { kind: 'secret', clientSecret: CANARY_SECRET });
    assert.deepEqual(
      (await connections.list()).map((summary) => [summary.name, summary.hasLogin]),
      [['dev', true]],
    );
  });

  it('is added to, replaced on and removed from an existing connection, the rest of it untouched', async () => {
    const { secrets, connections } = store('set');
    await connections.add('dev', { destination });
    assert.equal((await connections.load('dev')).login, undefined);
    assert.equal((await connections.list())[0]?.hasLogin, false);

    await connections.setLogin('dev', login);
    assert.equal((await connections.load('dev')).login?.clientId, login.clientId);

    // An X.509 key replaces a secret one: the old clientsecret must not linger next to the new key.
    await connections.setLogin('dev', otherLogin);
    const replaced = await connections.load('dev');
    assert.equal(replaced.login?.clientId, 'sb-other-app!t7');
    assert.equal(replaced.login?.auth.kind, 'x509');
    assert.deepEqual(
      secrets.keys().filter((key) => key.includes('/login/')),
      ['connection/dev/login/key'],
    );
    assert.equal(await secrets.get('connection/dev/login/key'), otherLogin.credentials.key);
    assert.match(String(otherLogin.credentials.key), new RegExp(CANARY_KEY_BODY));

    await connections.setLogin('dev', undefined);
    assert.equal((await connections.load('dev')).login, undefined);
    assert.deepEqual(secrets.keys(), ['connection/dev/destination/clientsecret']);
    assert.equal((await connections.load('dev')).destination.clientId, destination.clientId);
  });

  it('a new client signs the user out (a refresh token works only with its own client); the same client keeps the user', async () => {
    const { secrets, connections } = store('users');
    await connections.add('dev', { destination, login });
    await secrets.set(userSecretKey('dev', 'refresh_token'), 'rt');
    await secrets.set(userSecretKey('dev', 'access_token'), 'at');
    await connections.setLogin('dev', login);
    assert.equal(await secrets.get(userSecretKey('dev', 'refresh_token')), 'rt');
    await connections.setLogin('dev', otherLogin);
    assert.equal(await secrets.get(userSecretKey('dev', 'refresh_token')), undefined);
    assert.equal(await secrets.get(userSecretKey('dev', 'access_token')), undefined);
  });

  it('goes with the connection; a missing secret is named with its fix; an unknown connection is refused', async () => {
    const { secrets, connections } = store('remove');
    await connections.add('dev', { destination, login });
    await secrets.delete('connection/dev/login/clientsecret');
    await assert.rejects(
      connections.load('dev'),
      (error) => isBtpError(error, ErrorCode.ConnectionNotFound) && /xsuaa \(sign-in\) secret.*btp-connect login dev --login-key/.test(error.message),
    );
    await connections.setLogin('dev', login);
    assert.equal(await connections.remove('dev'), true);
    assert.deepEqual(secrets.keys(), []);
    await assert.rejects(connections.setLogin('nope', login), (error) => isBtpError(error, ErrorCode.ConnectionNotFound));
  });
});

describe('sign-in keys that are not xsuaa keys', () => {
  it('an SAP Cloud Identity Services (IAS) key is named as such', () => {
    const ias = {
      clientid: 'c0ffee-1234',
      clientsecret: CANARY_SECRET,
      url: 'https://mytenant.accounts.ondemand.com',
      domain: 'accounts.ondemand.com',
      app_tid: 'a-b-c',
    };
    const error = thrown(() => parseCredentials(ias, { expected: 'xsuaa' }));
    assert.ok(isBtpError(error, ErrorCode.BindingInvalid), String(error));
    assert.match(error.message, /xsappname/);
    assert.match(error.message, /SAP Cloud Identity Services \(identity\) key: BTP Connect signs users in through XSUAA only/);
    assert.doesNotMatch(error.message, new RegExp(CANARY_SECRET.replace(/\$/g, '\\$')));
  });
});
