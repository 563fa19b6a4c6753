import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeychainSecretStore } from '../../../../src/core/secrets/keychainStore';

/** The keyring module's entries over a map, counting reads: each is a D-Bus or OS call in the real module. */
function fakeKeyring() {
  const values = new Map<string, string>();
  let reads = 0;
  const factory = (service: string, account: string) => ({
    setPassword: async (password: string) => void values.set(`${service}/${account}`, password),
    getPassword: async () => {
      reads++;
      return values.get(`${service}/${account}`) ?? null;
    },
    deleteCredential: async () => values.delete(`${service}/${account}`),
  });
  return {
    values,
    factory,
    get reads() {
      return reads;
    },
  };
}

describe('KeychainSecretStore chunks', () => {
  it('without a chunk size (Linux, macOS) a long value is one entry and one read', async () => {
    const keyring = fakeKeyring();
    const store = new KeychainSecretStore('s', keyring.factory, {});
    const long = 'z'.repeat(10_000);
    await store.set('k', long);
    assert.deepEqual([...keyring.values.keys()], process.platform === 'win32' ? [...keyring.values.keys()] : ['s/k']);
    const before = keyring.reads;
    assert.equal(await store.get('k'), long);
    if (process.platform !== 'win32') assert.equal(keyring.reads - before, 1);
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
