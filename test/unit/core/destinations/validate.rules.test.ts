import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DestinationProperties } from '../../../../src/core/destinations/model';
import { validateDestination } from '../../../../src/core/destinations/validate';
import { RFC_DIRECT, RFC_WEBSOCKET, VALID_BY_AUTHENTICATION as AUTH, VALID_BY_TYPE as TYPE, show, without } from '../../../support/destinationFixtures';

type Severity = 'error' | 'warning';
/** [label, input, field, problem, message fragment, severity]. */
type Row = [string, unknown, string, string, string | RegExp, Severity?];

const basic = TYPE.HTTP;
const onPrem = (extra: Record<string, unknown> = {}) => ({ ...AUTH.NoAuthentication, URL: 'http://s4.virtual:44300', ProxyType: 'OnPremise', ...extra });
const set = (dest: DestinationProperties, extra: Record<string, unknown>) => ({ ...dest, ...extra });

const rows: Row[] = [
  // Shape and value types.
  ['an array', [basic], '(destination)', 'not_object', 'JSON object'],
  ['null', null, '(destination)', 'not_object', 'JSON object'],
  ['a string', 'HTTP', '(destination)', 'not_object', 'JSON object'],
  ['a Map', new Map([['Name', 'x']]), '(destination)', 'not_object', 'JSON object'],
  ['a number value', set(basic, { 'HTML5.Timeout': 5000 }), 'HTML5.Timeout', 'not_string', 'write it as "5000"'],
  ['a boolean value', set(basic, { TrustAll: true }), 'TrustAll', 'not_string', 'write it as "true"'],
  ['a number in an unknown property', set(basic, { 'MyApp.Pin': 4711 }), 'MyApp.Pin', 'not_string', 'in quotes, as a string'],
  ['a number in a secret property', set(basic, { Password: 4711 }), 'Password', 'not_string', 'in quotes, as a string'],
  ['a null value', set(basic, { Description: null }), 'Description', 'not_string', 'is null'],
  ['an object value', set(basic, { URL: { host: 'x' } }), 'URL', 'not_string', 'an object'],
  ['an array value', set(basic, { scope: ['a'] }), 'scope', 'not_string', 'an array'],
  ['an empty property name', set(basic, { '': 'x' }), '', 'empty_property_name', 'empty name'],
  // Name and Type.
  ['Name with a space', set(basic, { Name: 'my backend' }), 'Name', 'invalid_name', 'letters, digits'],
  ['Name with a dot', set(basic, { Name: 'a.b' }), 'Name', 'invalid_name', 'rename the destination'],
  ['Name of 201 characters', set(basic, { Name: 'a'.repeat(201) }), 'Name', 'invalid_name', 'longer than 200'],
  ['Type unknown', set(basic, { Type: 'SOAP' }), 'Type', 'unknown_value', 'HTTP, RFC, MAIL, LDAP, TCP'],
  ['Type in the wrong case', set(basic, { Type: 'http' }), 'Type', 'unknown_value', 'exactly "HTTP"'],
  // HTTP URL.
  ['URL with ftp://', set(basic, { URL: 'ftp://files.example.com' }), 'URL', 'invalid_url', 'http:// or https://'],
  ['URL relative', set(basic, { URL: '/sap/opu/odata' }), 'URL', 'invalid_url', 'not an absolute URL'],
  ['URL without host', set(basic, { URL: 'http://' }), 'URL', 'invalid_url', 'absolute'],
  ['URL with spaces', set(basic, { URL: ' https://api.example.com' }), 'URL', 'invalid_url', 'spaces'],
  ['URL with user-info', set(basic, { URL: 'https://bob:pw@api.example.com' }), 'URL', 'credentials_in_url', 'User and Password'],
  ['Authentication unknown', set(basic, { Authentication: 'Basic' }), 'Authentication', 'unknown_value', 'BasicAuthentication'],
  [
    'Authentication in the wrong case',
    set(basic, { Authentication: 'basicauthentication' }),
    'Authentication',
    'unknown_value',
    'exactly "BasicAuthentication"',
  ],
  // Proxy type and location id.
  ['ProxyType unknown', set(basic, { ProxyType: 'Intranet' }), 'ProxyType', 'unknown_value', 'Internet, OnPremise, PrivateLink'],
  ['ProxyType in the wrong case', set(basic, { ProxyType: 'onPremise' }), 'ProxyType', 'unknown_value', 'exactly "OnPremise"'],
  ['ProxyType Local on HTTP', set(basic, { ProxyType: 'Local' }), 'ProxyType', 'unknown_value', 'proxy types of HTTP'],
  ['OnPremise with an https:// URL', onPrem({ URL: 'https://s4.virtual:44300' }), 'URL', 'https_on_premise', 'use http://', 'warning'],
  [
    'location id with Internet',
    set(basic, { CloudConnectorLocationId: 'loc1' }),
    'CloudConnectorLocationId',
    'location_id_ignored',
    'ProxyType is Internet',
    'warning',
  ],
  [
    'location id without ProxyType',
    set(without(basic, 'ProxyType'), { CloudConnectorLocationId: 'loc1' }),
    'CloudConnectorLocationId',
    'location_id_ignored',
    'not set (Internet)',
    'warning',
  ],
  [
    'location id of 190 characters',
    onPrem({ CloudConnectorLocationId: 'l'.repeat(190) }),
    'CloudConnectorLocationId',
    'invalid_location_id',
    'longer than 189',
  ],
  ['location id with non-ASCII', onPrem({ CloudConnectorLocationId: 'lokation-ü' }), 'CloudConnectorLocationId', 'invalid_location_id', 'printable ASCII'],
  ['location id with a tab', onPrem({ CloudConnectorLocationId: 'a\tb' }), 'CloudConnectorLocationId', 'invalid_location_id', 'printable ASCII'],
  // Authentication rules.
  [
    'PrincipalPropagation on Internet',
    set(AUTH.PrincipalPropagation, { ProxyType: 'Internet', URL: 'https://x.example.com' }),
    'ProxyType',
    'requires_on_premise',
    'set ProxyType to OnPremise',
  ],
  [
    'PrincipalPropagation without ProxyType',
    set(without(AUTH.PrincipalPropagation, 'ProxyType'), { URL: 'https://x.example.com', CloudConnectorLocationId: '' }),
    'Authentication',
    'requires_on_premise',
    'not set',
  ],
  [
    'tokenServiceURL not a URL',
    set(AUTH.OAuth2ClientCredentials, { tokenServiceURL: 'tenant.authentication.eu10' }),
    'tokenServiceURL',
    'invalid_url',
    'absolute',
  ],
  [
    'tokenServiceURL with user-info',
    set(AUTH.OAuth2ClientCredentials, { tokenServiceURL: 'https://id:secret@auth.example.com/oauth/token' }),
    'tokenServiceURL',
    'credentials_in_url',
    'remove the credentials',
  ],
  [
    'tokenServiceURLType lower case',
    set(AUTH.OAuth2ClientCredentials, { tokenServiceURLType: 'dedicated' }),
    'tokenServiceURLType',
    'unknown_value',
    'exactly "Dedicated"',
  ],
  [
    'tokenServiceURLType unknown',
    set(AUTH.OAuth2ClientCredentials, { tokenServiceURLType: 'Shared' }),
    'tokenServiceURLType',
    'unknown_value',
    'Dedicated, Common',
  ],
  [
    'tokenServiceURL.ProxyType unknown',
    set(AUTH.OAuth2ClientCredentials, { 'tokenServiceURL.ProxyType': 'Proxy' }),
    'tokenServiceURL.ProxyType',
    'unknown_value',
    'Internet',
  ],
  [
    'x_user_token.jwks_uri not http(s)',
    set(AUTH.OAuth2JWTBearer, { 'x_user_token.jwks_uri': 'file:///keys' }),
    'x_user_token.jwks_uri',
    'invalid_url',
    'https://',
  ],
  [
    'OAuth without any client credential',
    without(AUTH.OAuth2ClientCredentials, 'clientSecret'),
    'clientSecret',
    'no_client_credential',
    'tokenService.KeyStoreLocation',
    'warning',
  ],
  ['SystemUser is deprecated', set(AUTH.OAuth2SAMLBearerAssertion, { SystemUser: 'tech' }), 'SystemUser', 'deprecated', 'September 2026', 'warning'],
  ['SAPAssertionSSO is deprecated', AUTH.SAPAssertionSSO, 'Authentication', 'deprecated', 'PrincipalPropagation', 'warning'],
  [
    'SAMLAssertionProvider unknown',
    set(AUTH.OAuth2SAMLBearerAssertion, { SAMLAssertionProvider: 'Client' }),
    'SAMLAssertionProvider',
    'unknown_value',
    'ClientProvided',
  ],
  [
    'KeyStore.Source unknown',
    set(AUTH.ClientCertificateAuthentication, { 'KeyStore.Source': 'Local' }),
    'KeyStore.Source',
    'unknown_value',
    'DestinationService',
  ],
  [
    'HTML5.ForwardAuthToken with BasicAuthentication',
    set(basic, { 'HTML5.ForwardAuthToken': 'true' }),
    'HTML5.ForwardAuthToken',
    'forward_auth_token_conflict',
    'approuter',
    'warning',
  ],
  ['forwardAuthToken with OnPremise', onPrem({ forwardAuthToken: 'true' }), 'forwardAuthToken', 'forward_auth_token_conflict', 'OnPremise', 'warning'],
  // Boolean, integer and format properties.
  ...[
    'TrustAll',
    'HTML5.DynamicDestination',
    'HTML5.ForwardAuthToken',
    'forwardAuthToken',
    'WebIDEEnabled',
    'tokenService.addClientCredentialsInBody',
    'HTML5.PreserveHostHeader',
    'includeSigningCertificateInSAMLAssertion',
  ].map((name): Row => [`${name} = "yes"`, set(AUTH.NoAuthentication, { [name]: 'yes' }), name, 'not_boolean', '"true" or "false"']),
  ['TrustAll = "True"', set(basic, { TrustAll: 'True' }), 'TrustAll', 'not_boolean', 'lower case'],
  ['HTML5.Timeout not a number', set(basic, { 'HTML5.Timeout': '30s' }), 'HTML5.Timeout', 'not_integer', 'whole number'],
  [
    'token connect timeout above 60',
    set(AUTH.OAuth2ClientCredentials, { 'tokenServiceURL.ConnectionTimeoutInSeconds': '90' }),
    'tokenServiceURL.ConnectionTimeoutInSeconds',
    'out_of_range',
    '0 to 60',
    'warning',
  ],
  ['sap-client of two digits', set(basic, { 'sap-client': '10' }), 'sap-client', 'invalid_format', 'three digits'],
  ['sap-client of four digits', set(basic, { 'sap-client': '1000' }), 'sap-client', 'invalid_format', 'three digits'],
  ['sap-client with letters', set(basic, { 'sap-client': 'abc' }), 'sap-client', 'invalid_format', 'three digits'],
  ['URL.headers name with a space', set(basic, { 'URL.headers.X Api': 'v' }), 'URL.headers.X Api', 'invalid_header_name', 'HTTP header name'],
  ['URL.headers name with a colon', set(basic, { 'URL.headers.X:Y': 'v' }), 'URL.headers.X:Y', 'invalid_header_name', 'no spaces or colons'],
  ['URL.headers without a name', set(basic, { 'URL.headers.': 'v' }), 'URL.headers.', 'invalid_format', 'nothing after URL.headers.'],
  [
    'tokenServiceURL.headers name with a slash',
    set(AUTH.OAuth2ClientCredentials, { 'tokenServiceURL.headers.a/b': 'v' }),
    'tokenServiceURL.headers.a/b',
    'invalid_header_name',
    'rename the property',
  ],
  // Names that differ from known ones only in case.
  ['proxytype', set(basic, { proxytype: 'OnPremise' }), 'proxytype', 'did_you_mean', 'did you mean ProxyType?', 'warning'],
  ['url.headers.X', set(basic, { 'url.headers.X': 'v' }), 'url.headers.X', 'did_you_mean', 'did you mean URL.headers.X?', 'warning'],
  [
    'Tokenserviceurl',
    set(AUTH.OAuth2ClientCredentials, { Tokenserviceurl: 'https://a.example.com' }),
    'Tokenserviceurl',
    'did_you_mean',
    'tokenServiceURL',
    'warning',
  ],
  // RFC.
  ['RFC sysnr of one digit', set(RFC_DIRECT, { 'jco.client.sysnr': '1' }), 'jco.client.sysnr', 'invalid_format', '2 digits'],
  ['RFC client of two digits', set(RFC_DIRECT, { 'jco.client.client': '10' }), 'jco.client.client', 'invalid_format', '3 digits'],
  ['RFC user of 13 characters', set(RFC_DIRECT, { 'jco.client.user': 'A'.repeat(13) }), 'jco.client.user', 'invalid_format', 'at most 12'],
  ['RFC r3name of 4 characters', set(RFC_DIRECT, { 'jco.client.r3name': 'ABCD' }), 'jco.client.r3name', 'invalid_format', 'three letters'],
  [
    'RFC proxy type PrivateLink',
    set(RFC_DIRECT, { 'jco.destination.proxy_type': 'PrivateLink' }),
    'jco.destination.proxy_type',
    'unknown_value',
    'Internet, OnPremise, Local',
  ],
  [
    'RFC application server over Internet',
    set(RFC_DIRECT, { 'jco.destination.proxy_type': 'Internet', 'jco.client.cloud_connector_location_id': '' }),
    'jco.destination.proxy_type',
    'proxy_type_mismatch',
    'needs OnPremise or Local',
  ],
  [
    'RFC WebSocket through OnPremise',
    set(RFC_WEBSOCKET, { 'jco.destination.proxy_type': 'OnPremise' }),
    'jco.destination.proxy_type',
    'proxy_type_mismatch',
    'needs Internet',
  ],
  [
    'RFC PrincipalPropagation over Internet',
    set(RFC_WEBSOCKET, { 'jco.destination.auth_type': 'PrincipalPropagation' }),
    'jco.destination.proxy_type',
    'requires_on_premise',
    'set jco.destination.proxy_type to OnPremise',
  ],
  [
    'RFC auth type not documented',
    set(RFC_DIRECT, { 'jco.destination.auth_type': 'CURRENT_USER' }),
    'jco.destination.auth_type',
    'unknown_value',
    'CONFIGURED_USER',
    'warning',
  ],
  [
    'RFC location id over Internet',
    set(RFC_WEBSOCKET, { 'jco.client.cloud_connector_location_id': 'loc1' }),
    'jco.client.cloud_connector_location_id',
    'location_id_ignored',
    'only applies to OnPremise',
    'warning',
  ],
  ['RFC with ProxyType', set(RFC_DIRECT, { ProxyType: 'OnPremise' }), 'ProxyType', 'misplaced_property', 'jco.destination.proxy_type', 'warning'],
  ['RFC with User', set(RFC_DIRECT, { User: 'x' }), 'User', 'misplaced_property', 'rename User to jco.client.user', 'warning'],
  ['RFC WebSocket port 0', set(RFC_WEBSOCKET, { 'jco.client.wsport': '0' }), 'jco.client.wsport', 'out_of_range', '1 to 65535'],
  // MAIL.
  ['MAIL port not a number', set(TYPE.MAIL, { 'mail.smtp.port': 'smtp' }), 'mail.smtp.port', 'not_integer', 'digits only'],
  ['MAIL port too large', set(TYPE.MAIL, { 'mail.smtp.port': '70000' }), 'mail.smtp.port', 'out_of_range', '1 to 65535'],
  ['MAIL auth flag not boolean', set(TYPE.MAIL, { 'mail.smtp.auth': 'yes' }), 'mail.smtp.auth', 'not_boolean', '"true" or "false"'],
  [
    'MAIL with OAuth',
    set(without(without(TYPE.MAIL, 'mail.user'), 'mail.password'), { Authentication: 'OAuth2ClientCredentials' }),
    'Authentication',
    'unsupported_for_type',
    'NoAuthentication or BasicAuthentication',
    'warning',
  ],
  ['MAIL with Password', set(TYPE.MAIL, { Password: 'x' }), 'Password', 'misplaced_property', 'mail.password', 'warning'],
  ['MAIL with ProxyType Local', set(TYPE.MAIL, { ProxyType: 'Local' }), 'ProxyType', 'unknown_value', 'proxy types of MAIL'],
  // LDAP.
  ['LDAP url with http://', set(TYPE.LDAP, { 'ldap.url': 'http://ldap.virtual:389' }), 'ldap.url', 'invalid_url', 'ldap://host:port'],
  ['LDAP url with user-info', set(TYPE.LDAP, { 'ldap.url': 'ldap://cn:pw@ldap.virtual' }), 'ldap.url', 'credentials_in_url', 'ldap.user'],
  [
    'LDAP authentication OAuth',
    set(TYPE.LDAP, { 'ldap.authentication': 'OAuth2ClientCredentials' }),
    'ldap.authentication',
    'unknown_value',
    'NoAuthentication, BasicAuthentication',
  ],
  ['LDAP proxy type unknown', set(TYPE.LDAP, { 'ldap.proxyType': 'Socks' }), 'ldap.proxyType', 'unknown_value', 'OnPremise'],
  ['LDAP with URL', set(TYPE.LDAP, { URL: 'ldap://x' }), 'URL', 'misplaced_property', 'rename URL to ldap.url', 'warning'],
  // TCP.
  ...['db.virtual', 'db.virtual:0', 'db.virtual:99999', 'tcp://db.virtual:5432/x', 'http://db.virtual:5432', 'user@db.virtual:5432', ':5432'].map(
    (address): Row => [`TCP Address ${JSON.stringify(address)}`, set(TYPE.TCP, { Address: address }), 'Address', 'invalid_address', 'host:port'],
  ),
  ['TCP ProxyType PrivateLink', set(TYPE.TCP, { ProxyType: 'PrivateLink' }), 'ProxyType', 'unknown_value', 'Internet, OnPremise'],
  ['TCP with URL', set(TYPE.TCP, { URL: 'tcp://x:1' }), 'URL', 'misplaced_property', 'Address', 'warning'],
];

describe('validateDestination: one rule per row', () => {
  for (const [label, input, field, problem, fragment, severity = 'error'] of rows) {
    it(`${label} → ${severity} ${problem} on ${field}`, () => {
      const issues = validateDestination(input);
      const hit = issues.find((issue) => issue.field === field && issue.problem === problem);
      assert.ok(hit, `expected ${problem} on ${field}, got:\n${show(issues)}`);
      assert.equal(hit.severity, severity);
      if (typeof fragment === 'string') assert.ok(hit.message.includes(fragment), `"${fragment}" not in: ${hit.message}`);
      else assert.match(hit.message, fragment);
      if (field !== '(destination)') assert.ok(hit.message.includes(field), `the message names the field: ${hit.message}`);
    });
  }

  it('reports nothing but the rule: a row changes exactly one thing of a valid destination', () => {
    const issues = validateDestination(set(basic, { 'sap-client': '10' }));
    assert.deepEqual(
      issues.map((i) => [i.field, i.problem]),
      [['sap-client', 'invalid_format']],
    );
  });

  it('reports an unknown ProxyType once, without follow-up proxy rules', () => {
    const issues = validateDestination(set(AUTH.PrincipalPropagation, { ProxyType: 'Cloud' }));
    assert.deepEqual(
      issues.map((i) => [i.field, i.problem]),
      [['ProxyType', 'unknown_value']],
      show(issues),
    );
  });

  it('accepts RFC proxy type Local for an application server', () => {
    const issues = validateDestination(set(RFC_DIRECT, { 'jco.destination.proxy_type': 'Local', 'jco.client.cloud_connector_location_id': '' }));
    assert.deepEqual(issues, [], show(issues));
  });

  it('accepts edge values: a 200-character name, a 189-character location id, an empty location id', () => {
    assert.deepEqual(validateDestination(set(basic, { Name: 'n'.repeat(200) })), []);
    assert.deepEqual(validateDestination(onPrem({ CloudConnectorLocationId: 'l'.repeat(189) })), []);
    assert.deepEqual(validateDestination(onPrem({ CloudConnectorLocationId: '' })), []);
  });
});
