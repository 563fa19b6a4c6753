import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionSecretKey, localSecretKey, userSecretKey, type SecretKey } from '../../../../src/core/secrets/secretKeys';

// The keychain entries are shared by the CLI, the extension and earlier installs: these exact names are the contract.
describe('secret keys', () => {
  const table: ReadonlyArray<[SecretKey, string]> = [
    [connectionSecretKey('dev', 'destination', 'clientsecret'), 'connection/dev/destination/clientsecret'],
    [connectionSecretKey('dev', 'connectivity', 'key'), 'connection/dev/connectivity/key'],
    [connectionSecretKey('dev', 'login', 'clientsecret'), 'connection/dev/login/clientsecret'],
    [userSecretKey('dev', 'refresh_token'), 'connection/dev/user/refresh_token'],
    [userSecretKey('dev', 'access_token'), 'connection/dev/user/access_token'],
    [localSecretKey('erp'), 'local-destination/erp'],
  ];
  for (const [key, expected] of table) it(expected, () => assert.equal(key, expected));

  it('a string that is not a secret key does not type-check', () => {
    // @ts-expect-error the store takes only the names above
    const wrong: SecretKey = 'connections/dev/destination/clientsecret';
    assert.equal(typeof wrong, 'string');
  });
});
