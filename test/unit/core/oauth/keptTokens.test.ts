import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../../src/core/bindings/types';
import { KeptTokens } from '../../../../src/core/oauth/keptTokens';
import type { AccessToken } from '../../../../src/core/oauth/tokenRequest';
import { keptTokensKey } from '../../../../src/core/secrets/secretKeys';
import type { SecretStore } from '../../../../src/core/secrets/secretStore';
import { destinationKey } from '../../../support/bindingFixtures';
import { MemorySecretStore } from '../../../support/memorySecretStore';

const binding = (overrides: Record<string, unknown> = {}) => parseCredentials(destinationKey(overrides), { expected: 'destination' }) as DestinationBinding;
const clock = { now: 1_000_000_000 };
const token = (name: string, expiresIn = 43_199): AccessToken => ({
  accessToken: name,
  tokenType: 'bearer',
  expiresIn,
  expiresAt: clock.now + expiresIn * 1000,
});

/** A keeper as a new process would make it: nothing shared with the one before but the secret store. */
function keeper(secrets: SecretStore, of = binding(), part: 'destination' | 'connectivity' = 'destination') {
  const kept = new KeptTokens(secrets, 'dev', { now: () => clock.now });
  return Object.assign(kept.forPart(part, of), { written: () => kept.written(), kept });
}

describe('KeptTokens', () => {
  it('a token kept by one process is taken by the next, for its key only', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets);
    first.keep('||cc', token('provider-token'));
    first.keep('zid-1||cc', token('subscriber-token'));
    await first.written();
    assert.deepEqual(secrets.keys(), [keptTokensKey('dev')]);
    const next = keeper(secrets);
    assert.equal((await next.take('||cc'))?.accessToken, 'provider-token');
    assert.equal((await next.take('zid-1||cc'))?.accessToken, 'subscriber-token');
    assert.equal(await next.take('zid-2||cc'), undefined);
  });

  it('both services of a connection share one value: a process reads it once, and keeping one keeps the other', async () => {
    const secrets = new MemorySecretStore();
    const first = new KeptTokens(secrets, 'dev', { now: () => clock.now });
    const connectivity = binding({ clientid: 'connectivity-client' });
    first.forPart('destination', binding()).keep('||cc', token('destination-token'));
    first.forPart('connectivity', connectivity).keep('||cc', token('connectivity-token'));
    await first.written();
    let reads = 0;
    const get = secrets.get.bind(secrets);
    secrets.get = (key) => {
      reads++;
      return get(key);
    };
    const next = new KeptTokens(secrets, 'dev', { now: () => clock.now });
    const [destinationToken, connectivityToken] = await Promise.all([
      next.forPart('destination', binding()).take('||cc'),
      next.forPart('connectivity', connectivity).take('||cc'),
    ]);
    assert.deepEqual([destinationToken?.accessToken, connectivityToken?.accessToken], ['destination-token', 'connectivity-token']);
    assert.equal(reads, 1);
    assert.equal(await next.forPart('connectivity', binding()).take('||cc'), undefined, 'the destination client is not the connectivity one');
  });

  it('keeps no secret of the binding, only a hash of the credentials the tokens were issued to', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets, binding({ clientsecret: 'the-client-secret' }));
    first.keep('||cc', token('a-token'));
    await first.written();
    const stored = (await secrets.get(keptTokensKey('dev'))) ?? '';
    assert.match(stored, /a-token/);
    assert.doesNotMatch(stored, /the-client-secret/);
  });

  it('a token issued to other credentials (the key was replaced) is not taken', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets, binding({ clientsecret: 'old-secret' }));
    first.keep('||cc', token('old-token'));
    await first.written();
    assert.equal(await keeper(secrets, binding({ clientsecret: 'new-secret' })).take('||cc'), undefined);
    assert.equal(await keeper(secrets, binding({ clientsecret: 'old-secret', clientid: 'another-client' })).take('||cc'), undefined);
    assert.equal((await keeper(secrets, binding({ clientsecret: 'old-secret' })).take('||cc'))?.accessToken, 'old-token');
  });

  it('a token within its refresh margin is not taken', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets);
    first.keep('||cc', token('short', 600));
    await first.written();
    const saved = clock.now;
    try {
      clock.now += 539_000; // 61 s left: still outside the 60 s margin
      assert.equal((await keeper(secrets).take('||cc'))?.accessToken, 'short');
      clock.now += 2_000; // 59 s left
      assert.equal(await keeper(secrets).take('||cc'), undefined);
    } finally {
      clock.now = saved;
    }
  });

  it('forget drops the kept token only when it is the one refused', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets);
    first.keep('||cc', token('kept'));
    first.forget('||cc', token('another'));
    await first.written();
    assert.equal((await keeper(secrets).take('||cc'))?.accessToken, 'kept');
    first.forget('||cc', token('kept'));
    assert.equal(await first.take('||cc'), undefined, 'refused at once, before the removal is written');
    await first.written();
    assert.equal(await keeper(secrets).take('||cc'), undefined);
    assert.deepEqual(secrets.keys(), [], 'nothing kept: no entry left behind');
  });

  it('two tokens kept at once both stay; beyond 8 keys the oldest goes', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets);
    for (let index = 0; index < 10; index++) first.keep(`tenant-${index}||cc`, token(`token-${index}`));
    await first.written();
    const next = keeper(secrets);
    assert.equal(await next.take('tenant-0||cc'), undefined);
    assert.equal(await next.take('tenant-1||cc'), undefined);
    for (let index = 2; index < 10; index++) assert.equal((await next.take(`tenant-${index}||cc`))?.accessToken, `token-${index}`);
  });

  it('a damaged or foreign value counts as nothing kept and is replaced by the next keep', async () => {
    for (const value of ['not json', '{"version":2,"tokens":{}}', JSON.stringify({ version: 1, issuedTo: 'x', tokens: { '||cc': { accessToken: 1 } } })]) {
      const secrets = new MemorySecretStore();
      await secrets.set(keptTokensKey('dev'), value);
      const next = keeper(secrets);
      assert.equal(await next.take('||cc'), undefined, value);
      next.keep('||cc', token('fresh'));
      await next.written();
      assert.equal((await keeper(secrets).take('||cc'))?.accessToken, 'fresh');
    }
  });

  it('a secret store that fails never fails the caller: nothing is taken, keeping is skipped', async () => {
    const failing: SecretStore = {
      description: 'broken keychain',
      get: () => Promise.reject(new Error('keychain locked')),
      set: () => Promise.reject(new Error('keychain locked')),
      delete: () => Promise.reject(new Error('keychain locked')),
    };
    const broken = keeper(failing);
    assert.equal(await broken.take('||cc'), undefined);
    broken.keep('||cc', token('lost'));
    await broken.written();
  });
});
