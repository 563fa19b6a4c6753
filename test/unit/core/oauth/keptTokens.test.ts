import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { DestinationBinding } from '../../../../src/core/bindings/types';
import { KeptTokens } from '../../../../src/core/oauth/keptTokens';
import type { AccessToken } from '../../../../src/core/oauth/tokenRequest';
import { keptTokensKey } from '../../../../src/core/secrets/secretKeys';
import type { SecretStore } from '../../../../src/core/secrets/secretStore';
import { destinationKey, x509 } from '../../../support/bindingFixtures';
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
    assert.equal(await keeper(secrets, binding({ clientsecret: 'old-secret', url: 'https://other.authentication.example.com' })).take('||cc'), undefined);
    assert.equal(await keeper(secrets, binding({ clientsecret: 'old-secret', uaadomain: 'other.example.com' })).take('||cc'), undefined);
    assert.equal((await keeper(secrets, binding({ clientsecret: 'old-secret' })).take('||cc'))?.accessToken, 'old-token');
  });

  it('an X.509 key counts by its certificate, private key and cert URL: a rotated key (same client) takes nothing', async () => {
    const secrets = new MemorySecretStore();
    const certified = (overrides: Record<string, unknown> = {}) =>
      parseCredentials(x509(destinationKey(), overrides), { expected: 'destination' }) as DestinationBinding;
    const first = keeper(secrets, certified());
    first.keep('||cc', token('mtls-token'));
    await first.written();
    assert.equal((await keeper(secrets, certified()).take('||cc'))?.accessToken, 'mtls-token');
    const rotated = certified({ key: certified().auth.kind === 'x509' ? `${String(x509(destinationKey()).key)}\n` : '' });
    assert.equal(await keeper(secrets, rotated).take('||cc'), undefined);
    assert.equal(await keeper(secrets, certified({ certurl: 'https://other.authentication.cert.example.com' })).take('||cc'), undefined);
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

  it('two tokens kept at once both stay; beyond 2 tenants the oldest goes; the value stays within its budget', async () => {
    const secrets = new MemorySecretStore();
    const first = keeper(secrets);
    first.keep('||cc', token('provider'));
    first.keep('zid-1||cc', token('subscriber-1'));
    await first.written();
    const both = keeper(secrets);
    assert.deepEqual([(await both.take('||cc'))?.accessToken, (await both.take('zid-1||cc'))?.accessToken], ['provider', 'subscriber-1']);
    first.keep('zid-2||cc', token('subscriber-2'));
    await first.written();
    const next = keeper(secrets);
    assert.equal(await next.take('||cc'), undefined, 'the oldest of three');
    assert.equal((await next.take('zid-2||cc'))?.accessToken, 'subscriber-2');
    // Tokens of 6,000 characters: two would pass the 10,000-character budget, so only the newest stays.
    first.keep('zid-3||cc', token('x'.repeat(6_000)));
    first.keep('zid-4||cc', token('y'.repeat(6_000)));
    await first.written();
    assert.ok(((await secrets.get(keptTokensKey('dev'))) ?? '').length <= 10_000);
    assert.equal((await keeper(secrets).take('zid-4||cc'))?.accessToken, 'y'.repeat(6_000));
    // One token alone over the budget: nothing stays, not the value before it either.
    first.keep('zid-5||cc', token('z'.repeat(11_000)));
    await first.written();
    assert.equal(await secrets.get(keptTokensKey('dev')), undefined);
  });

  it('each write starts from the value as stored now: what another process kept or forgot meanwhile stays so', async () => {
    const secrets = new MemorySecretStore();
    const window = keeper(secrets);
    window.keep('||cc', token('t1'));
    await window.written();
    assert.equal((await window.take('||cc'))?.accessToken, 't1');
    // A command (another process) finds t1 refused and keeps t2.
    const command = keeper(secrets);
    command.forget('||cc', token('t1'));
    command.keep('||cc', token('t2'));
    await command.written();
    // The window keeps a connectivity token: t2 must survive, t1 must not come back.
    const connectivity = window.kept.forPart('connectivity', binding({ clientid: 'connectivity-client' }));
    connectivity.keep('||cc', token('proxy-token'));
    await window.written();
    assert.equal((await keeper(secrets).take('||cc'))?.accessToken, 't2');
    // The connection is removed (its value deleted); a process that still writes keeps only its own new token.
    await secrets.delete(keptTokensKey('dev'));
    connectivity.keep('||cc', token('late'));
    await window.written();
    const after = keeper(secrets);
    assert.equal(await after.take('||cc'), undefined, 'no destination token brought back');
  });

  it('a damaged or foreign value counts as nothing kept and is replaced by the next keep', async () => {
    const badToken = { version: 1, parts: { destination: { issuedTo: 'any', tokens: { '||cc': { accessToken: 1, tokenType: 'bearer' } } } } };
    for (const value of ['not json', '{"version":2,"parts":{}}', '{"version":1}', JSON.stringify(badToken)]) {
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
