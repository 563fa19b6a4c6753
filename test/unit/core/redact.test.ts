import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprint, isSecretHeader, isSecretKey, redactObject, redactText } from '../../../src/core/redact';

// Made-up values shaped like the real thing; none of them is a credential.
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'demo-user', zid: 'tenant-a' })}.c2lnbmF0dXJlLW5vdC1yZWFs`;
const pem = [
  '-----BEGIN PRIVATE KEY-----',
  'TUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD',
  'ZmFrZWZha2VmYWtl',
  '-----END PRIVATE KEY-----',
].join('\n');
const rsaPem = pem.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY');

/** Asserts that none of `secrets` survive in `text`. */
function assertGone(text: string, ...secrets: string[]): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${JSON.stringify(secret)} leaked into: ${text}`);
}

describe('fingerprint', () => {
  it('is stable, keeps the length and does not contain the value', () => {
    const value = 'sb-client!t123|my-very-secret-value';
    assert.equal(fingerprint(value), fingerprint(value));
    assert.notEqual(fingerprint(value), fingerprint(`${value}x`));
    assert.match(fingerprint(value), new RegExp(`^\\*\\*\\*\\(len=${value.length}, sha256:[0-9a-f]{8}\\)$`));
    assertGone(fingerprint(value), value, 'secret');
    assert.equal(fingerprint(''), fingerprint(''));
  });
});

describe('redactText', () => {
  it('removes a JWT wherever it appears', () => {
    const out = redactText(`token ${jwt} was refused; raw:${jwt}`);
    assertGone(out, jwt, jwt.split('.')[1] ?? '');
    assert.ok(out.startsWith('token ***(len='));
    assert.ok(out.includes(fingerprint(jwt)), 'the fingerprint lets two lines be correlated');
  });

  it('removes Bearer and Basic credentials in any case', () => {
    const basic = Buffer.from('sb-client:client-secret-value').toString('base64');
    const opaque = 'opaque.Token_value-123~+/=';
    const out = redactText(`authorization: Basic ${basic}\nAuthorization: bearer ${opaque}\nBEARER ${jwt}`);
    assertGone(out, basic, opaque, jwt);
    assert.match(out, /Basic \*\*\*\(len=/);
    assert.match(out, /bearer \*\*\*\(len=/);
  });

  it('removes URL userinfo, with or without a password', () => {
    const out = redactText('fetching https://admin:pa%40ss-w0rd@host.example/api and ftp://alice@files.example/x');
    assertGone(out, 'admin', 'pa%40ss-w0rd', 'alice');
    assert.ok(out.includes('https://***@host.example/api'), out);
    assert.ok(out.includes('ftp://***@files.example/x'), out);
  });

  it('removes secret query parameters, plain and percent-encoded', () => {
    const cases: [string, string][] = [
      ['https://h.example/cb?code=auth-code-1&state=s1', 'auth-code-1'],
      ['https://h.example/x?a=1&access_token=at-value-2#frag', 'at-value-2'],
      ['/oauth/token?client_secret=abc%2Bdef%3D%3D&grant_type=client_credentials', 'abc%2Bdef%3D%3D'],
      ['https://h.example/login?user=u&Password=p%C3%A4ss%20word', 'p%C3%A4ss%20word'],
      ['https://h.example/x?token=plain-token-3', 'plain-token-3'],
    ];
    for (const [input, secret] of cases) {
      const out = redactText(input);
      assertGone(out, secret, decodeURIComponent(secret));
      assert.ok(out.includes(fingerprint(decodeURIComponent(secret))), `${out} fingerprints the decoded value`);
    }
    const kept = redactText('https://h.example/x?state=s1&grant_type=client_credentials#code');
    assert.equal(kept, 'https://h.example/x?state=s1&grant_type=client_credentials#code');
  });

  it('keeps malformed percent-encoding redacted', () => {
    const out = redactText('https://h.example/x?password=%E0%A4%A');
    assertGone(out, '%E0%A4%A');
  });

  it('removes PEM private keys of every kind but keeps certificates', () => {
    const certificate = '-----BEGIN CERTIFICATE-----\nTUlJQ2ZrZWNlcnQ=\n-----END CERTIFICATE-----';
    const out = redactText(`key:\n${pem}\nold:\n${rsaPem}\nencrypted:\n${pem.replace(/PRIVATE KEY/g, 'ENCRYPTED PRIVATE KEY')}\n${certificate}`);
    assertGone(out, 'TUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD', 'ZmFrZWZha2VmYWtl');
    assert.equal(out.match(/\[private key redacted\]/g)?.length, 3);
    assert.ok(out.includes(certificate), 'certificates are public');
  });

  it('keeps ordinary text unchanged', () => {
    const samples = [
      'Destination "erp-prod" was not found in subaccount tenant-a (404).',
      'Destination service at https://destination.cfapps.eu10.hana.ondemand.com could not be reached (ECONNREFUSED).',
      'Property "tokenServiceURL" must be an absolute https:// URL, e.g. https://host.example/oauth/token',
      'Unauthorized: a Bearer token is required',
      'mail user@example.com, path /a/b?x=1&y=2, version 1.2.3 eyJ',
    ];
    for (const sample of samples) assert.equal(redactText(sample), sample);
  });

  it('keeps "Basic authentication" and "Bearer authorization" prose', () => {
    for (const sample of ['Basic authentication failed for destination "erp"', 'Bearer authorization header missing']) {
      assert.equal(redactText(sample), sample);
    }
  });

  it('removes refresh_token, assertion and form-encoded secrets', () => {
    const out = redactText('?refresh_token=rt-value-1&assertion=saml-value-2&client_assertion=ca-value-3 body client_secret=cs-value-4&grant_type=x');
    assertGone(out, 'rt-value-1', 'saml-value-2', 'ca-value-3', 'cs-value-4');
  });
});

describe('isSecretKey / isSecretHeader', () => {
  const secret = [
    'Password',
    'password',
    'clientSecret',
    'clientsecret',
    'client_secret',
    'mail.password',
    'jco.client.passwd',
    'tokenServicePassword',
    'KeyStorePassword',
    'trustStorePassword',
    'proxyPassword',
    'mail.smtp.secret',
    'refresh_token',
    'access_token',
    'privateKey',
    'key',
    'Passphrase',
    'SystemUserPassword',
    'x.y.token',
  ];
  const ordinary = [
    'Name',
    'URL',
    'User',
    'clientId',
    'tokenServiceURL',
    'Authentication',
    'ProxyType',
    'mail.user',
    'jco.client.user',
    'keyStoreLocation',
    'tokenServiceUser',
    'Description',
    'passwordPolicy',
  ];
  for (const name of secret) it(`${name} is secret`, () => assert.equal(isSecretKey(name), true));
  for (const name of ordinary) it(`${name} is not secret`, () => assert.equal(isSecretKey(name), false));

  it('recognises secret headers in any case', () => {
    for (const name of ['Authorization', 'proxy-authorization', 'Cookie', 'SET-COOKIE', 'X-CSRF-Token', 'SAP-Connectivity-Authentication']) {
      assert.equal(isSecretHeader(name), true, name);
    }
    for (const name of ['content-type', 'accept', 'x-correlation-id', 'location']) assert.equal(isSecretHeader(name), false, name);
  });
});

describe('redactObject', () => {
  it('redacts secret-named string properties at any depth and copies the rest', () => {
    const input = {
      Name: 'erp',
      Password: 'hunter2-destination',
      credentials: { clientid: 'sb-app', clientsecret: 'cs-0001', uaa: { 'mail.password': 'mp-0002' } },
      list: [{ tokenServicePassword: 'tsp-0003', URL: 'https://a.example' }, 'plain', 7, null],
      flag: true,
    };
    const snapshot = structuredClone(input);
    const out = redactObject(input) as typeof input;
    assert.deepEqual(input, snapshot, 'the input is not modified');
    assertGone(JSON.stringify(out), 'hunter2-destination', 'cs-0001', 'mp-0002', 'tsp-0003');
    assert.equal(out.Password, fingerprint('hunter2-destination'));
    assert.equal(out.credentials.uaa['mail.password'], fingerprint('mp-0002'));
    assert.equal(out.credentials.clientid, 'sb-app');
    assert.deepEqual(out.list.slice(1), ['plain', 7, null]);
    assert.equal((out.list[0] as { URL: string }).URL, 'https://a.example');
    assert.equal(out.flag, true);
    assert.notEqual(out.credentials, input.credentials, 'a deep copy');
  });

  it('passes primitives through', () => {
    for (const value of ['text', 1, null, undefined, false]) assert.equal(redactObject(value), value);
  });
});
