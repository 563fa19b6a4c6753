import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import { tokenEndpoint, type TokenTenant } from '../../../../src/core/bindings/tokenEndpoint';
import type { ServiceBinding } from '../../../../src/core/bindings/types';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { connectivityKey, destinationKey, thrown, x509, xsuaaKey } from '../../../support/bindingFixtures';

const secretBinding = parseCredentials(destinationKey());
const x509Binding = parseCredentials(x509(connectivityKey()));
const sandbox = parseCredentials(xsuaaKey({ url: 'http://localhost:4010/', uaadomain: 'localhost:4443' }));
const sandboxX509 = parseCredentials(x509(xsuaaKey({ url: 'http://localhost:4010', uaadomain: 'localhost:4443' }), { certurl: 'https://localhost:4443/' }));
const pathUrl = parseCredentials(xsuaaKey({ url: 'https://uaa.example.test/uaa/' }));
const alreadyCert = parseCredentials(x509(xsuaaKey({ uaadomain: 'authentication.cert.eu10.hana.ondemand.com' })));

const ZID = '6b0a7d6c-1f2e-4c3b-9a8d-0e1f2a3b4c5d';

describe('tokenEndpoint', () => {
  const table: ReadonlyArray<{ name: string; binding: ServiceBinding; tenant?: TokenTenant; url: string; headers?: Record<string, string> }> = [
    { name: 'secret, no tenant → url', binding: secretBinding, url: 'https://provider-sub.authentication.eu10.hana.ondemand.com/oauth/token' },
    {
      name: 'secret, zid → uaadomain + x-zid',
      binding: secretBinding,
      tenant: { zid: ZID },
      url: 'https://authentication.eu10.hana.ondemand.com/oauth/token',
      headers: { 'x-zid': ZID },
    },
    {
      name: 'secret, subdomain → <subdomain>.<uaadomain>',
      binding: secretBinding,
      tenant: { subdomain: 'consumer-a' },
      url: 'https://consumer-a.authentication.eu10.hana.ondemand.com/oauth/token',
    },
    {
      name: 'zid wins over subdomain',
      binding: secretBinding,
      tenant: { zid: ZID, subdomain: 'consumer-a' },
      url: 'https://authentication.eu10.hana.ondemand.com/oauth/token',
      headers: { 'x-zid': ZID },
    },
    {
      name: 'empty zid counts as absent',
      binding: secretBinding,
      tenant: { zid: '', subdomain: 'consumer-a' },
      url: 'https://consumer-a.authentication.eu10.hana.ondemand.com/oauth/token',
    },
    { name: 'x509, no tenant → certurl', binding: x509Binding, url: 'https://provider-sub.authentication.cert.eu10.hana.ondemand.com/oauth/token' },
    {
      name: 'x509, zid → authentication.cert.<region>',
      binding: x509Binding,
      tenant: { zid: ZID },
      url: 'https://authentication.cert.eu10.hana.ondemand.com/oauth/token',
      headers: { 'x-zid': ZID },
    },
    {
      name: 'x509, subdomain → <subdomain>.authentication.cert.<region>',
      binding: x509Binding,
      tenant: { subdomain: 'consumer-a' },
      url: 'https://consumer-a.authentication.cert.eu10.hana.ondemand.com/oauth/token',
    },
    {
      name: 'x509, uaadomain already the cert domain',
      binding: alreadyCert,
      tenant: { zid: ZID },
      url: 'https://authentication.cert.eu10.hana.ondemand.com/oauth/token',
      headers: { 'x-zid': ZID },
    },
    { name: 'sandbox: plain http url, no double slash', binding: sandbox, url: 'http://localhost:4010/oauth/token' },
    {
      name: 'sandbox: zid goes to https uaadomain with port',
      binding: sandbox,
      tenant: { zid: 'sandbox-zone' },
      url: 'https://localhost:4443/oauth/token',
      headers: { 'x-zid': 'sandbox-zone' },
    },
    { name: 'sandbox: subdomain', binding: sandbox, tenant: { subdomain: 'provider' }, url: 'https://provider.localhost:4443/oauth/token' },
    {
      name: 'sandbox x509: uaadomain without authentication. is kept',
      binding: sandboxX509,
      tenant: { zid: 'z' },
      url: 'https://localhost:4443/oauth/token',
      headers: { 'x-zid': 'z' },
    },
    { name: 'sandbox x509: certurl with trailing slash', binding: sandboxX509, url: 'https://localhost:4443/oauth/token' },
    { name: 'url with a path keeps it', binding: pathUrl, url: 'https://uaa.example.test/uaa/oauth/token' },
  ];
  for (const row of table) {
    it(row.name, () => {
      assert.deepEqual(tokenEndpoint(row.binding, row.tenant), { url: row.url, headers: row.headers ?? {} });
    });
  }

  const bad: ReadonlyArray<{ name: string; tenant: TokenTenant; field: string; fragment: string }> = [
    { name: 'zid with a line break (header injection)', tenant: { zid: 'abc\r\nx-evil: 1' }, field: 'zid', fragment: 'zone id (zid)' },
    { name: 'zid with a space', tenant: { zid: 'a b' }, field: 'zid', fragment: 'letters, digits' },
    { name: 'subdomain with a dot', tenant: { subdomain: 'evil.example.com' }, field: 'subdomain', fragment: 'one DNS label' },
    { name: 'subdomain with a slash', tenant: { subdomain: 'a/b' }, field: 'subdomain', fragment: 'one DNS label' },
    { name: 'subdomain starting with a hyphen', tenant: { subdomain: '-a' }, field: 'subdomain', fragment: 'one DNS label' },
  ];
  for (const row of bad) {
    it(`rejects ${row.name}`, () => {
      const error = thrown(() => tokenEndpoint(secretBinding, row.tenant));
      assert.ok(isBtpError(error, ErrorCode.InvalidInput));
      assert.equal(error.field, row.field);
      assert.ok(error.message.includes(row.fragment), error.message);
    });
  }
});
