import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../src/core/errors';
import { LOCAL_DESTINATIONS_FILE, LocalDestinationStore } from '../../src/core/localDestinations/localDestinationStore';
import { localSecretKey } from '../../src/core/secrets/secretKeys';
import { MemorySecretStore } from '../support/memorySecretStore';

const SECRET = 'CANARY-local-password-Zx81';

const basic = (name: string, password = SECRET) => ({
  Name: name,
  Type: 'HTTP',
  URL: 'https://backend.example',
  ProxyType: 'Internet',
  Authentication: 'BasicAuthentication',
  User: 'alice',
  Password: password,
});

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isBtpError(error), String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('LocalDestinationStore (a file for properties, the secret store for secrets)', () => {
  let root: string;
  let counter = 0;
  const fresh = async () => {
    const directory = join(root, `store-${++counter}`);
    const secrets = new MemorySecretStore();
    return { directory, secrets, store: new LocalDestinationStore(secrets, directory) };
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'btp-local-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates, lists, reads and deletes; secrets only in the secret store', async () => {
    const { directory, secrets, store } = await fresh();
    const { etag } = await store.create('subaccount', basic('backend'));
    assert.equal(etag, '"local-1"');
    await store.create('subaccount', { Name: 'open', Type: 'HTTP', URL: 'https://open.example', ProxyType: 'Internet', Authentication: 'NoAuthentication' });
    const text = await readFile(join(directory, LOCAL_DESTINATIONS_FILE), 'utf8');
    assert.ok(!text.includes(SECRET), 'no secret in the file');
    assert.match(text, /"User": "alice"/);
    assert.deepEqual(JSON.parse((await secrets.get(localSecretKey('backend')))!), { Password: SECRET });
    assert.equal(await secrets.get(localSecretKey('open')), undefined, 'no entry for a destination without secrets');
    assert.deepEqual(await store.names(), ['backend', 'open']);
    assert.deepEqual((await store.get('subaccount', 'backend')).value, basic('backend'));
    assert.deepEqual(await store.list('instance'), []);
    await store.delete('subaccount', 'backend');
    assert.deepEqual(await store.names(), ['open']);
    assert.deepEqual(secrets.keys(), []);
  });

  it('finds a BasicAuthentication destination with the header built here; other types get a token error', async () => {
    const { store } = await fresh();
    await store.create('subaccount', basic('backend'));
    const found = await store.find('backend');
    assert.equal(found?.authTokens?.[0]?.http_header?.value, `Basic ${Buffer.from(`alice:${SECRET}`).toString('base64')}`);
    await store.create('subaccount', {
      Name: 'oauth',
      Type: 'HTTP',
      URL: 'https://o.example',
      ProxyType: 'Internet',
      Authentication: 'OAuth2ClientCredentials',
      clientId: 'c',
      clientSecret: 's',
      tokenServiceURL: 'https://t.example/oauth/token',
    });
    assert.match((await store.find('oauth'))?.authTokens?.[0]?.error ?? '', /NoAuthentication and BasicAuthentication, not OAuth2ClientCredentials/);
    await rejectsWith(store.find('missing'), ErrorCode.NotFound);
    // No fragments here: a forward or check naming one must fail, not quietly use the destination as it is.
    const refused = await rejectsWith(store.find('backend', { fragmentName: 'other' }), ErrorCode.Unsupported);
    assert.match(refused.message, /no fragments/);
  });

  it('checks the ETag: a stale update is refused and changes nothing', async () => {
    const { store } = await fresh();
    const first = await store.create('subaccount', basic('backend'));
    const second = await store.update('subaccount', { ...basic('backend', 'second'), Description: 'v2' }, { etag: first.etag });
    assert.equal(second.etag, '"local-2"');
    await rejectsWith(store.update('subaccount', basic('backend', 'third'), { etag: first.etag }), ErrorCode.Conflict);
    await rejectsWith(store.delete('subaccount', 'backend', { etag: first.etag }), ErrorCode.Conflict);
    const current = await store.get('subaccount', 'backend');
    assert.equal(current.value.Password, 'second');
    assert.equal(current.etag, second.etag);
  });

  it('refuses invalid input, duplicates and the instance level, naming the field', async () => {
    const { store } = await fresh();
    await store.create('subaccount', basic('backend'));
    assert.equal(((await rejectsWith(store.create('subaccount', basic('backend')), ErrorCode.AlreadyExists)) as { field?: string }).field, 'Name');
    const invalid = await rejectsWith(store.create('subaccount', { ...basic('other'), URL: 'not a url' }), ErrorCode.InvalidInput);
    assert.equal((invalid as { field?: string }).field, 'URL');
    await rejectsWith(store.create('instance', basic('third')), ErrorCode.Unsupported);
    assert.deepEqual(await store.names(), ['backend']);
  });

  it('renames: the secret entry moves with the destination', async () => {
    const { secrets, store } = await fresh();
    const { etag } = await store.create('subaccount', basic('backend'));
    await store.renameAndUpdate('subaccount', 'backend', basic('backend-new'), { etag });
    assert.deepEqual(await store.names(), ['backend-new']);
    assert.deepEqual(secrets.keys(), [localSecretKey('backend-new')]);
    await store.create('subaccount', basic('taken'));
    await rejectsWith(store.renameAndUpdate('subaccount', 'backend-new', basic('taken')), ErrorCode.AlreadyExists);
  });

  it('concurrent creates all land', async () => {
    const { store } = await fresh();
    const names = Array.from({ length: 12 }, (_, index) => `dest-${String(index).padStart(2, '0')}`);
    await Promise.all(names.map((name) => store.create('subaccount', basic(name))));
    assert.deepEqual(await store.names(), names);
  });

  it('when the file cannot be written, the secret store is put back as it was', async () => {
    const { directory, secrets } = await fresh();
    await new LocalDestinationStore(secrets, directory).create('subaccount', basic('backend', 'before'));
    // A fresh instance writes its temp files under these names; directories there make the writes fail.
    const store = new LocalDestinationStore(secrets, directory);
    for (const sequence of [1, 2]) await mkdir(join(directory, `${LOCAL_DESTINATIONS_FILE}.${process.pid}.${sequence}.tmp`));
    await assert.rejects(store.update('subaccount', basic('backend', 'after')), /EISDIR/);
    await assert.rejects(store.create('subaccount', basic('second')));
    assert.deepEqual(JSON.parse((await secrets.get(localSecretKey('backend')))!), { Password: 'before' });
    assert.equal(await secrets.get(localSecretKey('second')), undefined);
    assert.equal((await store.get('subaccount', 'backend')).value.Password, 'before');
  });

  it('says which secrets are missing when the secret store lost them', async () => {
    const { secrets, store } = await fresh();
    await store.create('subaccount', basic('backend'));
    await secrets.delete(localSecretKey('backend'));
    const error = await rejectsWith(store.get('subaccount', 'backend'), ErrorCode.KeychainUnavailable);
    assert.match(error.message, /\(Password\) are missing from the memory/);
  });
});
