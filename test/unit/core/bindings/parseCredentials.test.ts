import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveUaaDomain, parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import type { ParseOptions } from '../../../../src/core/bindings/types';
import { ErrorCode } from '../../../../src/core/errors';
import { assertIssue, exposedText } from './assertError';
import {
  CANARY_CERT_BODY,
  CANARY_KEY_BODY,
  CANARY_SECRET,
  CERT_PEM,
  KEY_PEM,
  connectivityKey,
  destinationKey,
  thrown,
  without,
  x509,
  xsuaaKey,
  type ExpectedIssue,
} from '../../../support/bindingFixtures';

const UAA_URL = 'https://provider-sub.authentication.eu10.hana.ondemand.com';
const UAA_DOMAIN = 'authentication.eu10.hana.ondemand.com';
const CERT_URL = 'https://provider-sub.authentication.cert.eu10.hana.ondemand.com';
const secret = { kind: 'secret', clientSecret: CANARY_SECRET } as const;
const cert = { kind: 'x509', certificate: CERT_PEM, key: KEY_PEM, certUrl: CERT_URL } as const;

interface GoodCase {
  readonly name: string;
  readonly input: Record<string, unknown>;
  readonly options?: ParseOptions;
  readonly expect: Record<string, unknown>;
}

const good: readonly GoodCase[] = [
  {
    name: 'destination, client secret (realistic key)',
    input: destinationKey(),
    expect: {
      kind: 'destination',
      clientId: 'sb-clone6f2c1a!b20936|destination-xsappname!b62',
      auth: secret,
      url: UAA_URL,
      uaaDomain: UAA_DOMAIN,
      uri: 'https://destination-configuration.cfapps.eu10.hana.ondemand.com',
      identityZone: 'provider-sub',
      tenantId: '6b0a7d6c-1f2e-4c3b-9a8d-0e1f2a3b4c5d',
      xsappname: 'clone6f2c1a!b20936|destination-xsappname!b62',
    },
  },
  { name: 'destination, X.509', input: x509(destinationKey()), expect: { kind: 'destination', auth: cert } },
  {
    name: 'connectivity, client secret (spec §1.3 shape, ports as strings)',
    input: connectivityKey(),
    expect: {
      kind: 'connectivity',
      auth: secret,
      url: UAA_URL,
      proxyHost: 'connectivityproxy.internal.cf.eu10.hana.ondemand.com',
      httpPort: 20003,
      socks5Port: 20004,
      rfcPort: 20001,
      ldapPort: 20001,
    },
  },
  { name: 'connectivity, X.509', input: x509(connectivityKey()), expect: { kind: 'connectivity', auth: cert, httpPort: 20003 } },
  {
    name: 'connectivity, only the old onpremise_proxy_port, ports as numbers',
    input: without(
      connectivityKey({ onpremise_proxy_port: 20003, onpremise_socks5_proxy_port: 20004 }),
      'onpremise_proxy_http_port',
      'onpremise_proxy_rfc_port',
      'onpremise_proxy_ldap_port',
    ),
    expect: { httpPort: 20003, socks5Port: 20004, rfcPort: undefined, ldapPort: undefined },
  },
  {
    name: 'connectivity, onpremise_proxy_http_port wins over onpremise_proxy_port',
    input: connectivityKey({ onpremise_proxy_http_port: '20013', onpremise_proxy_port: '20003' }),
    expect: { httpPort: 20013 },
  },
  {
    name: 'connectivity, blank onpremise_proxy_http_port falls back to onpremise_proxy_port',
    input: connectivityKey({ onpremise_proxy_http_port: '', onpremise_proxy_port: '20005' }),
    expect: { httpPort: 20005 },
  },
  {
    name: 'connectivity, token_service_url replaces a missing url',
    input: without(connectivityKey({ token_service_url: 'https://other.authentication.us10.hana.ondemand.com/' }), 'url', 'uaadomain'),
    expect: { url: 'https://other.authentication.us10.hana.ondemand.com', uaaDomain: 'authentication.us10.hana.ondemand.com' },
  },
  {
    name: 'xsuaa, client secret',
    input: xsuaaKey(),
    expect: { kind: 'xsuaa', clientId: 'sb-my-app!t12345', auth: secret, xsappname: 'my-app!t12345', url: UAA_URL },
  },
  { name: 'xsuaa, X.509', input: x509(xsuaaKey()), expect: { kind: 'xsuaa', auth: cert } },
  {
    name: 'X.509 detected from certificate + key without clientsecret or credential-type',
    input: without(x509(xsuaaKey()), 'credential-type'),
    expect: { auth: cert },
  },
  {
    name: 'X.509 with an IAS-style credential-type X509_GENERATED',
    input: x509(xsuaaKey(), { 'credential-type': 'X509_GENERATED' }),
    expect: { auth: cert },
  },
  {
    name: 'credential-type x509 wins over a stray clientsecret',
    input: x509(xsuaaKey(), { clientsecret: CANARY_SECRET }),
    expect: { auth: cert },
  },
  {
    name: 'PEM values with CRLF line ends are allowed',
    input: x509(xsuaaKey(), { certificate: CERT_PEM.replace(/\n/g, '\r\n'), key: KEY_PEM.replace(/\n/g, '\r\n') }),
    expect: { kind: 'xsuaa' },
  },
  {
    name: 'local sandbox: plain http URLs, uaadomain derived from a single-label host keeps the port',
    input: without(destinationKey({ url: 'http://localhost:4010', uri: 'http://localhost:4010/' }), 'uaadomain'),
    expect: { url: 'http://localhost:4010', uri: 'http://localhost:4010', uaaDomain: 'localhost:4010' },
  },
  {
    name: 'uaadomain with a port is accepted as is',
    input: destinationKey({ url: 'http://127.0.0.1:4010', uaadomain: 'localhost:4443' }),
    expect: { uaaDomain: 'localhost:4443' },
  },
  {
    name: 'uaadomain derived from url when missing',
    input: without(destinationKey(), 'uaadomain'),
    expect: { uaaDomain: UAA_DOMAIN },
  },
  {
    name: 'trailing slashes of url and uri are dropped',
    input: destinationKey({ url: `${UAA_URL}//`, uri: 'https://destination-configuration.cfapps.eu10.hana.ondemand.com/' }),
    expect: { url: UAA_URL, uri: 'https://destination-configuration.cfapps.eu10.hana.ondemand.com' },
  },
  {
    name: 'expected kind matches',
    input: connectivityKey(),
    options: { expected: 'connectivity' },
    expect: { kind: 'connectivity' },
  },
  {
    name: 'meta is kept',
    input: xsuaaKey(),
    options: { meta: { name: 'uaa-binding', instanceName: 'uaa', label: 'xsuaa', plan: 'application', tags: ['xsuaa'] } },
    expect: { meta: { name: 'uaa-binding', instanceName: 'uaa', label: 'xsuaa', plan: 'application', tags: ['xsuaa'] } },
  },
  {
    name: 'optional identity fields may be absent',
    input: without(xsuaaKey(), 'identityzone', 'tenantid'),
    expect: { identityZone: undefined, tenantId: undefined, meta: undefined },
  },
];

interface BadCase extends ExpectedIssue {
  readonly name: string;
  readonly input: unknown;
  readonly options?: ParseOptions;
}

const bad: readonly BadCase[] = [
  { name: 'not an object', input: [destinationKey()], field: 'credentials', problem: 'invalid_type', fragment: 'must be a JSON object' },
  { name: 'a string', input: 'clientid=x', field: 'credentials', problem: 'invalid_type', fragment: 'but it is a string' },
  { name: 'null', input: null, field: 'credentials', problem: 'required', fragment: 'has no credentials' },
  {
    name: 'no uri, onpremise_proxy_host or xsappname',
    input: without(destinationKey(), 'uri', 'xsappname'),
    field: 'credentials',
    problem: 'unknown_kind',
    fragment: /Cannot tell which service.*"uri".*"onpremise_proxy_host".*"xsappname"/,
  },
  {
    name: 'destination expected, the key has no uri',
    input: without(destinationKey(), 'uri', 'xsappname'),
    options: { expected: 'destination' },
    field: 'uri',
    problem: 'required',
    fragment:
      'The destination service key has no "uri" (the Destination service URL). Copy the whole key from the BTP cockpit or `cf service-key`, not only part of it.',
  },
  {
    name: 'destination expected, the missing uri hint mentions xsuaa',
    input: xsuaaKey(),
    options: { expected: 'destination' },
    field: 'uri',
    problem: 'required',
    fragment: 'looks like an xsuaa service key, but a destination key is needed',
  },
  {
    name: 'destination expected, connectivity key given',
    input: connectivityKey(),
    options: { expected: 'destination' },
    field: 'onpremise_proxy_host',
    problem: 'wrong_kind',
    fragment: 'This is a connectivity service key, a destination key is needed',
  },
  {
    name: 'xsuaa expected, destination key given',
    input: destinationKey(),
    options: { expected: 'xsuaa' },
    field: 'uri',
    problem: 'wrong_kind',
    fragment: 'This is a destination service key, an xsuaa key is needed',
  },
  {
    name: 'connectivity expected, destination key given',
    input: x509(destinationKey()),
    options: { expected: 'connectivity' },
    field: 'uri',
    problem: 'wrong_kind',
    fragment: 'a connectivity key is needed',
  },
  {
    name: 'clientid missing',
    input: without(destinationKey(), 'clientid'),
    field: 'clientid',
    problem: 'required',
    fragment: 'has no "clientid" (the OAuth client ID)',
  },
  { name: 'clientid blank', input: destinationKey({ clientid: '  ' }), field: 'clientid', problem: 'required', fragment: 'has no "clientid"' },
  {
    name: 'clientid a number',
    input: destinationKey({ clientid: 42 }),
    field: 'clientid',
    problem: 'invalid_type',
    fragment: 'is a number, but it must be a string',
  },
  {
    name: 'clientsecret missing and no certificate',
    input: without(destinationKey(), 'clientsecret'),
    field: 'clientsecret',
    problem: 'required',
    fragment: 'has no "clientsecret" (the OAuth client secret). It has no X.509 "certificate" and "key" either.',
  },
  {
    name: 'url missing',
    input: without(destinationKey(), 'url'),
    field: 'url',
    problem: 'required',
    fragment: 'The destination service key has no "url" (the XSUAA token service URL)',
  },
  {
    name: 'url ftp',
    input: destinationKey({ url: 'ftp://uaa.example.com' }),
    field: 'url',
    problem: 'invalid_url',
    fragment: 'must be an absolute http(s) URL, but its scheme is ftp:',
  },
  {
    name: 'url without scheme',
    input: destinationKey({ url: 'provider-sub.authentication.eu10.hana.ondemand.com' }),
    field: 'url',
    problem: 'invalid_url',
    fragment: 'does not start with http:// or https://',
  },
  { name: 'url with query', input: destinationKey({ url: `${UAA_URL}/?x=1` }), field: 'url', problem: 'invalid_url', fragment: 'query or fragment' },
  {
    name: 'url with user info',
    input: destinationKey({ url: 'https://me:pw@uaa.example.com' }),
    field: 'url',
    problem: 'invalid_url',
    fragment: 'user name or password',
  },
  { name: 'url not a URL', input: destinationKey({ url: 'https://exa mple.com' }), field: 'url', problem: 'invalid_url', fragment: 'not a valid URL' },
  {
    name: 'uri relative',
    input: destinationKey({ uri: '/destination-configuration' }),
    field: 'uri',
    problem: 'invalid_url',
    fragment: 'The "uri" (the Destination service URL) of the destination service key must be an absolute http(s) URL',
  },
  { name: 'uri a number', input: destinationKey({ uri: 7 }), field: 'uri', problem: 'invalid_type', fragment: 'must be a string' },
  {
    name: 'certurl http',
    input: x509(destinationKey(), { certurl: 'http://cert.example.com' }),
    field: 'certurl',
    problem: 'invalid_url',
    fragment: 'must be an absolute https:// URL',
  },
  {
    name: 'certurl missing',
    input: without(x509(destinationKey()), 'certurl'),
    field: 'certurl',
    problem: 'required',
    fragment: 'An X.509 key needs "certificate", "key" and "certurl".',
  },
  {
    name: 'certificate missing (credential-type x509)',
    input: without(x509(xsuaaKey()), 'certificate'),
    field: 'certificate',
    problem: 'required',
    fragment: 'has no "certificate"',
  },
  {
    name: 'certificate not PEM',
    input: x509(xsuaaKey(), { certificate: CANARY_CERT_BODY }),
    field: 'certificate',
    problem: 'invalid_pem',
    fragment: 'lacks the "-----BEGIN CERTIFICATE-----" line',
  },
  { name: 'key not PEM', input: x509(xsuaaKey(), { key: CANARY_KEY_BODY }), field: 'key', problem: 'invalid_pem', fragment: 'PRIVATE KEY-----" line' },
  { name: 'key is a certificate', input: x509(xsuaaKey(), { key: CERT_PEM }), field: 'key', problem: 'invalid_pem', fragment: 'not in PEM format' },
  {
    name: 'proxy host missing',
    input: without(connectivityKey(), 'onpremise_proxy_host'),
    options: { expected: 'connectivity' },
    field: 'onpremise_proxy_host',
    problem: 'required',
    fragment: 'has no "onpremise_proxy_host" (the connectivity proxy host)',
  },
  {
    name: 'proxy host with scheme',
    input: connectivityKey({ onpremise_proxy_host: 'http://proxy:20003' }),
    field: 'onpremise_proxy_host',
    problem: 'invalid_host',
    fragment: 'without scheme, path or spaces',
  },
  {
    name: 'no HTTP port at all',
    input: without(connectivityKey(), 'onpremise_proxy_http_port', 'onpremise_proxy_port'),
    field: 'onpremise_proxy_http_port',
    problem: 'required',
    fragment: 'It has no "onpremise_proxy_port" (the older name) either.',
  },
  {
    name: 'HTTP port 0',
    input: connectivityKey({ onpremise_proxy_http_port: '0' }),
    field: 'onpremise_proxy_http_port',
    problem: 'invalid_port',
    fragment: 'from 1 to 65535 (got 0)',
  },
  {
    name: 'HTTP port 65536',
    input: connectivityKey({ onpremise_proxy_http_port: 65536 }),
    field: 'onpremise_proxy_http_port',
    problem: 'invalid_port',
    fragment: '(got 65536)',
  },
  {
    name: 'HTTP port not digits',
    input: connectivityKey({ onpremise_proxy_http_port: '20003a' }),
    field: 'onpremise_proxy_http_port',
    problem: 'invalid_port',
    fragment: 'got text that is not a number',
  },
  {
    name: 'HTTP port fractional',
    input: connectivityKey({ onpremise_proxy_http_port: 20003.5 }),
    field: 'onpremise_proxy_http_port',
    problem: 'invalid_port',
    fragment: 'port number',
  },
  {
    name: 'old port name invalid',
    input: connectivityKey({ onpremise_proxy_port: '-1' }),
    field: 'onpremise_proxy_port',
    problem: 'invalid_port',
    fragment: 'older name',
  },
  {
    name: 'SOCKS5 port invalid',
    input: connectivityKey({ onpremise_socks5_proxy_port: 'socks' }),
    field: 'onpremise_socks5_proxy_port',
    problem: 'invalid_port',
    fragment: 'SOCKS5 port',
  },
  {
    name: 'RFC port invalid',
    input: connectivityKey({ onpremise_proxy_rfc_port: true }),
    field: 'onpremise_proxy_rfc_port',
    problem: 'invalid_port',
    fragment: 'got a boolean',
  },
  {
    name: 'LDAP port invalid',
    input: connectivityKey({ onpremise_proxy_ldap_port: '99999' }),
    field: 'onpremise_proxy_ldap_port',
    problem: 'invalid_port',
    fragment: 'LDAP port',
  },
  {
    name: 'connectivity without url and token_service_url',
    input: without(connectivityKey(), 'url', 'token_service_url'),
    field: 'url',
    problem: 'required',
    fragment: 'It has no "token_service_url" either.',
  },
  {
    name: 'xsuaa without xsappname',
    input: without(xsuaaKey(), 'xsappname'),
    options: { expected: 'xsuaa' },
    field: 'xsappname',
    problem: 'required',
    fragment: 'The xsuaa service key has no "xsappname"',
  },
  {
    name: 'uaadomain with scheme',
    input: destinationKey({ uaadomain: 'https://authentication.eu10.hana.ondemand.com' }),
    field: 'uaadomain',
    problem: 'invalid_host',
    fragment: 'must be a host name',
  },
  { name: 'identityzone not a string', input: destinationKey({ identityzone: ['a'] }), field: 'identityzone', problem: 'invalid_type', fragment: 'is a list' },
  {
    name: 'LF in clientid',
    input: destinationKey({ clientid: 'sb-x\nInjected: 1' }),
    field: 'clientid',
    problem: 'forbidden_char',
    fragment: 'contains a line break or NUL character',
  },
  {
    name: 'CR in clientsecret',
    input: destinationKey({ clientsecret: `${CANARY_SECRET}\r` }),
    field: 'clientsecret',
    problem: 'forbidden_char',
    fragment: '"clientsecret" (the OAuth client secret)',
  },
  { name: 'NUL in url', input: destinationKey({ url: `${UAA_URL}\0` }), field: 'url', problem: 'forbidden_char', fragment: 'line break or NUL' },
  { name: 'LF in an unknown field', input: destinationKey({ note: 'a\nb' }), field: 'note', problem: 'forbidden_char', fragment: '"note"' },
  {
    name: 'LF in a nested unknown field',
    input: destinationKey({ extra: { list: ['ok', 'x\ny'] } }),
    field: 'extra.list[1]',
    problem: 'forbidden_char',
    fragment: '"extra.list[1]"',
  },
  {
    name: 'NUL inside the certificate',
    input: x509(xsuaaKey(), { certificate: `${CERT_PEM}\0` }),
    field: 'certificate',
    problem: 'forbidden_char',
    fragment: 'a PEM value may have line breaks',
  },
  {
    name: 'lone CR inside the key',
    input: x509(xsuaaKey(), { key: KEY_PEM.replace('\n', '\r') }),
    field: 'key',
    problem: 'forbidden_char',
    fragment: 'no NUL or lone CR',
  },
];

function pick(binding: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, (binding as Record<string, unknown>)[key]]));
}

describe('parseCredentials: good keys', () => {
  for (const testCase of good) {
    it(testCase.name, () => {
      const binding = parseCredentials(testCase.input, testCase.options);
      assert.deepEqual(pick(binding, Object.keys(testCase.expect)), testCase.expect);
    });
  }

  it('keeps unknown fields in credentials, as a copy', () => {
    const input = connectivityKey({ custom: { nested: true } });
    const binding = parseCredentials(input);
    assert.deepEqual(binding.credentials, input);
    assert.notEqual(binding.credentials, input);
    input.custom = 'changed';
    assert.deepEqual(binding.credentials.custom, { nested: true });
  });

  it('sets no undefined optional properties', () => {
    const binding = parseCredentials(without(connectivityKey(), 'onpremise_socks5_proxy_port', 'identityzone'));
    assert.equal('socks5Port' in binding, false);
    assert.equal('identityZone' in binding, false);
    assert.equal('meta' in binding, false);
  });
});

describe('parseCredentials: bad keys', () => {
  for (const testCase of bad) {
    it(testCase.name, () => {
      const error = assertIssue(
        thrown(() => parseCredentials(testCase.input, testCase.options)),
        testCase,
      );
      assert.equal(error.code, ErrorCode.BindingInvalid);
    });
  }

  it('collects all problems into one error', () => {
    const input = without(connectivityKey({ url: 'ftp://x', onpremise_socks5_proxy_port: '0', clientid: '' }), 'clientsecret', 'onpremise_proxy_host');
    const error = assertIssue(
      thrown(() => parseCredentials(input, { expected: 'connectivity', source: 'file "/tmp/conn.json"' })),
      {
        field: 'clientid',
        fragment: 'has no "clientid"',
      },
    );
    assert.deepEqual(error.issues.map((issue) => issue.field).sort(), [
      'clientid',
      'clientsecret',
      'onpremise_proxy_host',
      'onpremise_socks5_proxy_port',
      'url',
    ]);
    assert.equal(error.field, 'clientid');
    assert.match(error.message, /^The connectivity service key from file "\/tmp\/conn.json" is not valid:\n {2}- /);
    assert.equal(error.message.split('\n').length, 1 + error.issues.length);
  });

  it('reports each field once', () => {
    const error = thrown(() => parseCredentials(destinationKey({ url: 'ftp://x\n' })));
    assertIssue(error, { field: 'url', problem: 'forbidden_char', fragment: 'line break' });
    assert.equal((error as { issues: unknown[] }).issues.length, 1);
  });

  it('never puts a secret into any message (canary secrets in broken keys)', () => {
    const broken: unknown[] = [
      without(destinationKey(), 'uri', 'xsappname'),
      destinationKey({ clientsecret: `${CANARY_SECRET}\n` }),
      destinationKey({ clientsecret: `\0${CANARY_SECRET}`, url: 'nope' }),
      destinationKey({ url: CANARY_SECRET }),
      x509(xsuaaKey(), { certificate: CANARY_CERT_BODY, key: CANARY_KEY_BODY, certurl: 'http://x' }),
      x509(xsuaaKey(), { certificate: `${CERT_PEM}\0`, key: `${KEY_PEM}\r` }),
      x509(xsuaaKey(), { key: CERT_PEM, certificate: KEY_PEM }),
      x509(connectivityKey({ onpremise_proxy_http_port: CANARY_SECRET }), { clientsecret: CANARY_SECRET }),
      connectivityKey({ clientsecret: { value: CANARY_SECRET } }),
      connectivityKey({ key: CANARY_KEY_BODY, onpremise_proxy_host: '', url: '' }),
      [CANARY_SECRET],
    ];
    const canaries = [CANARY_SECRET, CANARY_KEY_BODY, CANARY_CERT_BODY, 'CANARY'];
    for (const [index, input] of broken.entries()) {
      for (const options of [{}, { expected: 'destination' }, { expected: 'xsuaa' }] as const) {
        const text = exposedText(thrown(() => parseCredentials(input, options)));
        for (const canary of canaries) assert.ok(!text.includes(canary), `case ${index} leaks ${canary}:\n${text}`);
      }
    }
  });
});

describe('deriveUaaDomain', () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    ['https://sub.authentication.eu10.hana.ondemand.com', 'authentication.eu10.hana.ondemand.com'],
    ['https://sub.authentication.eu10.hana.ondemand.com/', 'authentication.eu10.hana.ondemand.com'],
    ['https://sub.uaa.example.test:8443/some/path', 'uaa.example.test:8443'],
    ['http://provider.localhost:4010', 'localhost:4010'],
    ['http://localhost:4010', 'localhost:4010'],
    ['http://127.0.0.1:4010', '127.0.0.1:4010'],
    ['http://[::1]:4010', '[::1]:4010'],
    ['https://sub.example.com:443', 'example.com'],
  ];
  for (const [url, domain] of table) {
    it(`${url} → ${domain}`, () => assert.equal(deriveUaaDomain(url), domain));
  }
});
