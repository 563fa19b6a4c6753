import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BtpError, ErrorCode } from '../../../src/core/errors';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { type SecretStore } from '../../../src/core/secrets/secretStore';
import { DeferredSecretStore } from '../../../src/extension/secretStores';

// The keychain probe runs after activation (issue 18: activation's own work under 50 ms). What must not change:
// every secret goes to the store the probe chose, never elsewhere, and a failed probe fails secret operations
// instead of falling back to anything.

const key = 'connection/c/destination/clientsecret' as const;

test('nothing is probed during construction, and operations wait for the chosen store', async () => {
  let probed = false;
  let choose: ((store: SecretStore) => void) | undefined;
  const chosen = new MemorySecretStore();
  const deferred = new DeferredSecretStore(() => {
    probed = true;
    return new Promise((resolve) => (choose = resolve));
  });
  assert.equal(probed, false, 'the probe runs after the caller (activate) has returned');
  assert.equal(deferred.description, 'OS keychain (being checked)');
  const writing = deferred.set(key, 'secret');
  // The probe starts a turn later; the write waits for it.
  while (!choose) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(chosen.keys().length, 0, 'nothing written before the store was chosen');
  choose(chosen);
  await writing;
  assert.equal(await chosen.get(key), 'secret');
  assert.equal(await deferred.get(key), 'secret');
  assert.equal(deferred.description, chosen.description);
  await deferred.delete(key);
  assert.equal(chosen.keys().length, 0);
});

test('a probe that failed unexpectedly fails every operation with its error: no fallback', async () => {
  const deferred = new DeferredSecretStore(async () => {
    throw new BtpError(ErrorCode.InvalidInput, 'broken keychain module');
  });
  await assert.rejects(deferred.set(key, 'secret'), /broken keychain module/);
  await assert.rejects(deferred.get(key), /broken keychain module/);
  await assert.rejects(deferred.chosen, /broken keychain module/);
});
