import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUTHENTICATIONS, OAUTH_OPTIONAL } from '../../../../src/core/destinations/authentication';
import { DESTINATION_TYPE_SPECS, RFC_CONNECTION_MODES } from '../../../../src/core/destinations/destinationTypes';
import { AUTHENTICATION_TYPES, DESTINATION_TYPES, isSecretProperty, type AuthenticationType } from '../../../../src/core/destinations/model';
import { PROPERTY_FAMILIES } from '../../../../src/core/destinations/httpProperties';
import { PROPERTIES, caseInsensitiveMatch, isKnownProperty } from '../../../../src/core/destinations/properties';

const known = (name: string) => assert.ok(isKnownProperty(name), `${name} is in the property catalogue`);

describe('AUTHENTICATIONS table', () => {
  it('has one entry per authentication type, keyed by its own type', () => {
    assert.deepEqual(Object.keys(AUTHENTICATIONS).sort(), [...AUTHENTICATION_TYPES].sort());
    for (const type of AUTHENTICATION_TYPES) assert.equal(AUTHENTICATIONS[type].type, type);
  });

  const tokenTypes: Record<AuthenticationType, string | null> = {
    NoAuthentication: null,
    BasicAuthentication: 'Basic',
    ClientCertificateAuthentication: null,
    PrincipalPropagation: null,
    OAuth2ClientCredentials: 'Bearer',
    OAuth2Password: 'Bearer',
    OAuth2UserTokenExchange: 'Bearer',
    OAuth2JWTBearer: 'Bearer',
    OAuth2SAMLBearerAssertion: 'Bearer',
    SAMLAssertion: 'SAML2.0',
    OAuth2RefreshToken: 'Bearer',
    OAuth2AuthorizationCode: 'Bearer',
    OAuth2TechnicalUserPropagation: 'Bearer',
    OAuth2TokenExchange: 'Bearer',
    SAPAssertionSSO: 'MYSAPSSO2',
  };
  for (const type of AUTHENTICATION_TYPES) {
    const spec = AUTHENTICATIONS[type];
    it(`${type}: yields authTokens type ${String(tokenTypes[type])}`, () => assert.equal(spec.tokenType, tokenTypes[type]));
    it(`${type}: every property it names is in the catalogue, and secrets are exactly its secret names`, () => {
      for (const name of [...spec.required, ...spec.optional]) known(name);
      for (const prefix of spec.optionalFamilies)
        assert.ok(
          PROPERTY_FAMILIES.some((f) => f.prefix === prefix),
          prefix,
        );
      const expected = [...new Set([...spec.required, ...spec.optional].filter(isSecretProperty))];
      assert.deepEqual(spec.secrets, expected);
      for (const e of spec.exemptions) assert.ok(spec.required.includes(e.property), `exemption of a required property: ${e.property}`);
    });
  }

  it('OAuth flows share the set "O" and need clientId and tokenServiceURL', () => {
    for (const type of AUTHENTICATION_TYPES.filter((t) => t.startsWith('OAuth2') && t !== 'OAuth2SAMLBearerAssertion')) {
      assert.ok(AUTHENTICATIONS[type].required.includes('clientId'), type);
      assert.ok(AUTHENTICATIONS[type].required.includes('tokenServiceURL'), type);
      for (const name of OAUTH_OPTIONAL) assert.ok(AUTHENTICATIONS[type].optional.includes(name), `${type} ${name}`);
    }
  });

  it('records the constraints: PrincipalPropagation needs OnPremise; user-token flows need a user', () => {
    assert.equal(AUTHENTICATIONS.PrincipalPropagation.requiresProxyType, 'OnPremise');
    for (const type of ['OAuth2UserTokenExchange', 'OAuth2JWTBearer', 'OAuth2SAMLBearerAssertion', 'SAMLAssertion', 'PrincipalPropagation'] as const) {
      assert.equal(AUTHENTICATIONS[type].needsUser, true, type);
      assert.equal(AUTHENTICATIONS[type].callerSupplies, 'userToken', type);
    }
    for (const type of ['NoAuthentication', 'BasicAuthentication', 'OAuth2ClientCredentials', 'OAuth2Password'] as const) {
      assert.equal(AUTHENTICATIONS[type].needsUser, false, type);
    }
    assert.ok(AUTHENTICATIONS.SAPAssertionSSO.deprecated);
  });
});

describe('DESTINATION_TYPE_SPECS and the property catalogue', () => {
  it('has one entry per destination type', () => {
    assert.deepEqual(Object.keys(DESTINATION_TYPE_SPECS), [...DESTINATION_TYPES]);
  });

  for (const type of DESTINATION_TYPES) {
    it(`${type}: every property it names is in the catalogue`, () => {
      const spec = DESTINATION_TYPE_SPECS[type];
      const names = [
        ...spec.required,
        ...spec.requiredOneOf.flat(),
        ...spec.optional,
        ...Object.values(spec.misplaced),
        ...Object.keys(spec.misplaced),
        spec.proxyTypeProperty,
        spec.locationIdProperty,
        spec.descriptionProperty,
      ];
      for (const name of names) known(name);
    });
  }

  it('RFC connection modes name catalogue properties', () => {
    for (const mode of RFC_CONNECTION_MODES) for (const name of [mode.selector, ...mode.required, ...mode.requiredOneOf.flat(), ...mode.optional]) known(name);
  });

  it('every catalogue entry is consistent: secret flag, enum values, label', () => {
    for (const [name, spec] of PROPERTIES) {
      assert.equal(spec.name, name);
      assert.equal(spec.secret, isSecretProperty(name), name);
      assert.ok(spec.label.length > 0, name);
      if (spec.kind === 'enum') assert.ok(spec.values !== undefined && spec.values.length > 0, name);
    }
  });

  const suggestions: [string, string | undefined][] = [
    ['proxytype', 'ProxyType'],
    ['PROXYTYPE', 'ProxyType'],
    ['url', 'URL'],
    ['trustall', 'TrustAll'],
    ['tokenserviceurl', 'tokenServiceURL'],
    ['LDAP.URL', 'ldap.url'],
    ['url.headers.X-Foo', 'URL.headers.X-Foo'],
    ['ProxyType', undefined],
    ['URL.headers.x', undefined],
    ['MyApp.Setting', undefined],
  ];
  for (const [name, expected] of suggestions) {
    it(`caseInsensitiveMatch(${name}) → ${String(expected)}`, () => assert.equal(caseInsensitiveMatch(name), expected));
  }
});

describe('browser safety of src/core/destinations', () => {
  const dir = join(import.meta.dirname, '../../../../src/core/destinations');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file} imports only sibling modules and ../errors, and uses no Node globals`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        assert.ok(spec === '../errors' || /^\.\/[\w-]+$/.test(spec ?? ''), `${file} imports ${spec}`);
      }
      assert.doesNotMatch(text, /\b(Buffer|process|require)\b|node:/, file);
      assert.ok(text.split('\n').length < 300, `${file} is under 300 lines`);
    });
  }
});
