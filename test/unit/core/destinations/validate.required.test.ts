import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTHENTICATIONS } from '../../../../src/core/destinations/authentication';
import { DESTINATION_TYPE_SPECS } from '../../../../src/core/destinations/destinationTypes';
import { AUTHENTICATION_TYPES, DESTINATION_TYPES, type DestinationProperties } from '../../../../src/core/destinations/model';
import { validateDestination } from '../../../../src/core/destinations/validate';
import {
  RFC_DIRECT,
  RFC_LOAD_BALANCING,
  RFC_WEBSOCKET,
  VALID_BY_AUTHENTICATION,
  VALID_BY_TYPE,
  errorsOf,
  show,
  warningsOf,
  without,
} from '../../../support/destinationFixtures';

/** Removing (or emptying) `removed` from `dest` gives exactly one error, a `required` issue on `field`. */
function assertRequired(dest: DestinationProperties, removed: string, field = removed): void {
  for (const [how, input] of [
    ['removed', without(dest, removed)],
    ['empty', { ...dest, [removed]: '' }],
  ] as const) {
    const errors = errorsOf(validateDestination(input));
    assert.equal(errors.length, 1, `${removed} ${how}:\n${show(errors)}`);
    assert.equal(errors[0]?.field, field);
    assert.equal(errors[0]?.problem, 'required');
    assert.ok(errors[0]?.message.startsWith(`${field} is `), errors[0]?.message);
    assert.match(errors[0]?.message ?? '', how === 'empty' && field === removed ? /is empty/ : /is missing/);
  }
}

describe('every authentication type: a valid destination, and each required property removed', () => {
  for (const type of AUTHENTICATION_TYPES) {
    const dest = VALID_BY_AUTHENTICATION[type];
    const spec = AUTHENTICATIONS[type];

    it(`${type}: the example is valid`, () => {
      const issues = validateDestination(dest);
      assert.deepEqual(errorsOf(issues), [], show(issues));
      const expectedWarnings = spec.deprecated === undefined ? [] : ['deprecated'];
      assert.deepEqual(
        warningsOf(issues).map((i) => i.problem),
        expectedWarnings,
        show(issues),
      );
    });

    for (const name of ['Name', 'URL', 'Authentication', ...spec.required]) {
      it(`${type}: without ${name} → required ${name}`, () => assertRequired(dest, name));
    }
  }

  it('OAuth2SAMLBearerAssertion does not need audience when SAMLAssertionProvider is ClientProvided', () => {
    const dest = { ...without(VALID_BY_AUTHENTICATION.OAuth2SAMLBearerAssertion, 'audience'), SAMLAssertionProvider: 'ClientProvided' };
    assert.deepEqual(validateDestination(dest), []);
  });

  it('ClientCertificateAuthentication does not need KeyStoreLocation when KeyStore.Source is ClientProvided', () => {
    const dest = { ...without(VALID_BY_AUTHENTICATION.ClientCertificateAuthentication, 'KeyStoreLocation'), 'KeyStore.Source': 'ClientProvided' };
    assert.deepEqual(validateDestination(dest), []);
  });

  it('Type alone missing gives one required issue and skips the type rules', () => {
    assertRequired(VALID_BY_AUTHENTICATION.OAuth2ClientCredentials, 'Type');
  });
});

describe('every destination type: a valid destination, and each required property removed', () => {
  for (const type of DESTINATION_TYPES) {
    const dest = VALID_BY_TYPE[type];
    const spec = DESTINATION_TYPE_SPECS[type];
    it(`${type}: the example is valid and draws no warning`, () => assert.deepEqual(validateDestination(dest), [], show(validateDestination(dest))));
    for (const name of ['Name', 'Type', ...spec.required, ...spec.requiredOneOf.map((group) => group[0] ?? '')]) {
      it(`${type}: without ${name} → required ${name}`, () => assertRequired(dest, name));
    }
  }

  // Type-specific requirements that depend on other properties; [example, removed, field that is reported].
  const conditional: [string, DestinationProperties, string, string?][] = [
    ['RFC direct', RFC_DIRECT, 'jco.client.ashost'],
    ['RFC direct', RFC_DIRECT, 'jco.client.sysnr'],
    ['RFC direct', RFC_DIRECT, 'jco.client.client'],
    ['RFC direct', RFC_DIRECT, 'jco.client.user'],
    ['RFC direct', RFC_DIRECT, 'jco.client.passwd'],
    ['RFC load balancing', RFC_LOAD_BALANCING, 'jco.client.r3name'],
    ['RFC load balancing', RFC_LOAD_BALANCING, 'jco.client.client'],
    ['RFC load balancing', RFC_LOAD_BALANCING, 'jco.client.mshost', 'jco.client.ashost'],
    ['RFC WebSocket', RFC_WEBSOCKET, 'jco.client.wsport'],
    ['RFC WebSocket', RFC_WEBSOCKET, 'jco.client.passwd'],
    ['RFC WebSocket', RFC_WEBSOCKET, 'jco.client.alias_user', 'jco.client.user'],
    ['RFC WebSocket', RFC_WEBSOCKET, 'jco.client.wshost', 'jco.client.ashost'],
    ['MAIL BasicAuthentication', VALID_BY_TYPE.MAIL, 'mail.user'],
    ['MAIL BasicAuthentication', VALID_BY_TYPE.MAIL, 'mail.password'],
    ['LDAP BasicAuthentication', VALID_BY_TYPE.LDAP, 'ldap.user'],
    ['LDAP BasicAuthentication', VALID_BY_TYPE.LDAP, 'ldap.password'],
  ];
  for (const [label, dest, removed, field] of conditional) {
    it(`${label}: without ${removed} → required ${field ?? removed}`, () => assertRequired(dest, removed, field));
  }

  const alsoValid: [string, DestinationProperties][] = [
    ['RFC load balancing', RFC_LOAD_BALANCING],
    ['RFC WebSocket', RFC_WEBSOCKET],
    ['RFC load balancing with msserv instead of r3name', { ...without(RFC_LOAD_BALANCING, 'jco.client.r3name'), 'jco.client.msserv': '3600' }],
    ['RFC without proxy type', without(RFC_DIRECT, 'jco.destination.proxy_type')],
    [
      'RFC with PrincipalPropagation and no user',
      { ...without(without(RFC_DIRECT, 'jco.client.user'), 'jco.client.passwd'), 'jco.destination.auth_type': 'PrincipalPropagation' },
    ],
    [
      'RFC WebSocket with certificate logon and no user',
      {
        ...without(without(RFC_WEBSOCKET, 'jco.client.alias_user'), 'jco.client.passwd'),
        'jco.client.tls_client_certificate_logon': '1',
        KeyStoreLocation: 'c.p12',
      },
    ],
    [
      'RFC TechnicalUserPropagation',
      {
        ...without(without(RFC_DIRECT, 'jco.client.user'), 'jco.client.passwd'),
        'jco.destination.auth_type': 'TechnicalUserPropagation',
        'jco.client.tech_user_id': 'id',
        'jco.client.tech_user_secret': 's',
        'jco.client.tech_user_service_url': 'https://t.example.com/oauth/token',
      },
    ],
    ['MAIL over IMAP without credentials', { Name: 'imap', Type: 'MAIL', Authentication: 'NoAuthentication', 'mail.imap4.host': 'imap.example.com' }],
    ['LDAP with NoAuthentication', { ...without(without(VALID_BY_TYPE.LDAP, 'ldap.user'), 'ldap.password'), 'ldap.authentication': 'NoAuthentication' }],
    ['TCP Internet with host:port', { Name: 'ext', Type: 'TCP', Address: 'db.example.com:5432', ProxyType: 'Internet' }],
    ['HTTP without ProxyType (Internet by default)', without(VALID_BY_TYPE.HTTP, 'ProxyType')],
  ];
  for (const [label, dest] of alsoValid) {
    it(`${label} is valid`, () => assert.deepEqual(validateDestination(dest), [], show(validateDestination(dest))));
  }

  it('RFC TechnicalUserPropagation without its three properties names each of them', () => {
    const dest = { ...RFC_DIRECT, 'jco.destination.auth_type': 'TechnicalUserPropagation' };
    assert.deepEqual(
      errorsOf(validateDestination(dest)).map((i) => [i.field, i.problem]),
      [
        ['jco.client.tech_user_id', 'required'],
        ['jco.client.tech_user_secret', 'required'],
        ['jco.client.tech_user_service_url', 'required'],
      ],
    );
  });
});
