import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeychainSecretStore } from '../../../../src/core/secrets/keychainStore';

/** The keyring module's entries over a map, counting reads: each is a D-Bus or OS call in the real module. */
function fakeKeyring() {
  const values = new Map<string, string>();
  let reads = 0;
  let deletes = 0;
  const factory = (service: string, account: string) => ({
    setPassword: async (password: string) => void values.set(`${service}/${account}`, password),
    getPassword: async () => {
      reads++;
      return values.get(`${service}/${account}`) ?? null;
    },
    deleteCredential: async () => {
      deletes++;
      return values.delete(`${service}/${account}`);
    },
  });
  return {
    values,
    factory,
    get reads() {
      return reads;
    },
    get deletes() {
      return deletes;
    },
  };
}

describe('KeychainSecretStore chunks', () => {
  it('on Linux and macOS a long value is one entry and one read; on Windows it is split at 1,800 characters', async () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const keyring = fakeKeyring();
      const store = new KeychainSecretStore('s', keyring.factory, { platform });
      const long = 'z'.repeat(10_000);
      await store.set('k', long);
      assert.deepEqual([...keyring.values.keys()], ['s/k'], platform);
      const before = keyring.reads;
      assert.equal(await store.get('k'), long);
      assert.equal(keyring.reads - before, 1);
    }
    const keyring = fakeKeyring();
    await new KeychainSecretStore('s', keyring.factory, { platform: 'win32' }).set('k', 'w'.repeat(1801));
    assert.equal(keyring.values.get('s/k'), 'btp-connect-chunks:2');
    assert.equal(keyring.values.get('s/k#0')?.length, 1800);
  });

  it('a value is written over the entry (no delete: macOS keeps who may read it); parts of a longer earlier value go', async () => {
    const keyring = fakeKeyring();
    const store = new KeychainSecretStore('s', keyring.factory, { chunkSize: 100 });
    await store.set('k', 'a'.repeat(250));
    assert.equal(keyring.values.get('s/k'), 'btp-connect-chunks:3');
    await store.set('k', 'b'.repeat(150));
    assert.equal(keyring.values.get('s/k'), 'btp-connect-chunks:2');
    assert.equal(keyring.values.has('s/k#2'), false, 'the third part of the longer value is gone');
    assert.equal(await store.get('k'), 'b'.repeat(150));
    await store.set('k', 'short');
    assert.deepEqual([...keyring.values.keys()], ['s/k']);
    const deletes = keyring.deletes;
    await store.set('k', 'still short');
    assert.equal(keyring.deletes, deletes, 'a whole value over a whole value deletes nothing');
    assert.equal(await store.get('k'), 'still short');
  });

  it('with a chunk size (Windows) a long value is split and read back whole; a value that looks like a header survives', async () => {
    const keyring = fakeKeyring();
    const store = new KeychainSecretStore('s', keyring.factory, { chunkSize: 100 });
    const long = 'q'.repeat(250);
    await store.set('k', long);
    assert.equal(keyring.values.get('s/k'), 'btp-connect-chunks:3');
    assert.equal(await store.get('k'), long);
    for (const chunkSize of [100, Number.POSITIVE_INFINITY]) {
      const tricky = new KeychainSecretStore('t', keyring.factory, { chunkSize });
      await tricky.set('h', 'btp-connect-chunks:7');
      assert.equal(await tricky.get('h'), 'btp-connect-chunks:7', `chunk size ${chunkSize}`);
    }
  });

  it('reads a value an earlier version split, whatever its own chunk size', async () => {
    const keyring = fakeKeyring();
    await new KeychainSecretStore('s', keyring.factory, { chunkSize: 4 }).set('old', 'abcdefghij');
    assert.equal(await new KeychainSecretStore('s', keyring.factory, {}).get('old'), 'abcdefghij');
  });
});
