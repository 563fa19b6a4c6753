import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUTHENTICATION_TYPES,
  DESTINATION_TYPES,
  PROXY_TYPES,
  isAuthenticationType,
  isDestinationType,
  isProxyType,
  isSecretProperty,
} from '../../../../src/core/destinations/model';

describe('destination model constants', () => {
  it('lists the five destination types, four proxy types and every authentication type of spec §4.2', () => {
    assert.deepEqual([...DESTINATION_TYPES], ['HTTP', 'RFC', 'MAIL', 'LDAP', 'TCP']);
    assert.deepEqual([...PROXY_TYPES], ['Internet', 'OnPremise', 'PrivateLink', 'Local']);
    assert.equal(AUTHENTICATION_TYPES.length, 15);
    assert.ok(AUTHENTICATION_TYPES.includes('SAPAssertionSSO'));
  });

  const guards: [string, (value: unknown) => boolean, unknown, boolean][] = [
    ['isDestinationType', isDestinationType, 'RFC', true],
    ['isDestinationType', isDestinationType, 'http', false],
    ['isDestinationType', isDestinationType, 1, false],
    ['isProxyType', isProxyType, 'PrivateLink', true],
    ['isProxyType', isProxyType, 'onpremise', false],
    ['isAuthenticationType', isAuthenticationType, 'OAuth2JWTBearer', true],
    ['isAuthenticationType', isAuthenticationType, 'toString', false],
    ['isAuthenticationType', isAuthenticationType, undefined, false],
  ];
  for (const [name, guard, value, expected] of guards) {
    it(`${name}(${JSON.stringify(value)}) is ${expected}`, () => assert.equal(guard(value), expected));
  }
});

describe('isSecretProperty', () => {
  const secrets = [
    'Password',
    'password',
    'PASSWORD',
    'clientSecret',
    'clientsecret',
    'tokenServicePassword',
    'KeyStorePassword',
    'TrustStorePassword',
    'tokenService.KeyStorePassword',
    'mail.password',
    'jco.client.passwd',
    'ldap.password',
    'jco.destination.repository.passwd',
    'jco.client.tech_user_secret',
    'jco.client.mysapsso2',
    'SigningKey',
    'URL.headers.Authorization',
    'URL.headers.apikey',
    'URL.headers.APIKey',
    'URL.headers.x-api-key',
    'URL.headers.Cookie',
    'URL.queries.api_key',
    'URL.queries.access_token',
    'tokenServiceURL.headers.Authorization',
    'tokenService.body.client_secret',
    'tokenService.body.password',
  ];
  const notSecrets = [
    'User',
    'clientId',
    'tokenServiceUser',
    'tokenServiceURL',
    'URL',
    'KeyStoreLocation',
    'TrustStoreLocation',
    'x_user_token.jwks',
    'x_user_token.jwks_uri',
    'Certificate',
    'mail.user',
    'jco.client.user',
    'ldap.user',
    'URL.headers.Accept',
    'URL.queries.language',
    'tokenService.body.resource',
    'PasswordHint.Description',
    'MyApp.password',
  ];
  for (const name of secrets) it(`${name} is a secret`, () => assert.equal(isSecretProperty(name), true));
  for (const name of notSecrets) it(`${name} is not a secret`, () => assert.equal(isSecretProperty(name), false));
});
