import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTHENTICATIONS, AUTHENTICATION_TYPES, requiredFor, validateDestination } from '../../../../src/core/destinations';
import { buildForm, validationInput, type Draft, type FieldModel } from '../../../../webview/src/model/formModel';

const http = (extra: Record<string, string> = {}, secrets: Draft['secrets'] = {}): Draft => ({
  properties: { Name: 'backend', Type: 'HTTP', URL: 'https://backend.example.com', ProxyType: 'Internet', Authentication: 'NoAuthentication', ...extra },
  secrets,
});

function fields(draft: Draft): Map<string, FieldModel> {
  return new Map(buildForm(draft).sections.flatMap((section) => section.fields.map((field) => [field.name, field] as const)));
}

describe('form model: HTTP authentication types', () => {
  for (const type of AUTHENTICATION_TYPES) {
    it(`${type}: marks exactly the validator's required properties and shows each one`, () => {
      const draft = http({ Authentication: type, ...(AUTHENTICATIONS[type].requiresProxyType ? { ProxyType: 'OnPremise' } : {}) });
      const shown = fields(draft);
      const expected = requiredFor(AUTHENTICATIONS[type], draft.properties);
      for (const name of expected) {
        const field = shown.get(name);
        assert.ok(field, `${name} is shown for ${type}`);
        assert.equal(field.required, true, `${name} is marked required for ${type}`);
        assert.ok(
          field.issues.some((issue) => issue.problem === 'required'),
          `${name} shows "required" next to it while empty`,
        );
      }
      for (const always of ['Name', 'Type', 'URL', 'Authentication']) assert.equal(shown.get(always)?.required, true, `${always} is required`);
      const markedRequired = [...shown.values()]
        .filter((field) => field.required)
        .map((field) => field.name)
        .sort();
      assert.deepEqual(markedRequired, [...new Set(['Name', 'Type', 'URL', 'Authentication', ...expected])].sort(), 'nothing else is marked required');
      for (const secret of AUTHENTICATIONS[type].secrets.filter((name) => shown.has(name))) {
        assert.equal(shown.get(secret)?.input, 'secret', `${secret} is a masked input`);
      }
    });
  }

  it('the errors of a complete draft are zero and a filled required field has no issue', () => {
    const form = buildForm(http({ Authentication: 'BasicAuthentication', User: 'alice' }, { Password: 'stored' }));
    assert.equal(form.errors, 0);
    const password = form.sections.flatMap((s) => s.fields).find((f) => f.name === 'Password');
    assert.equal(password?.secret, 'stored');
    assert.equal(password?.value, undefined, 'a secret has no value in the form');
  });

  it('a removed secret counts as missing', () => {
    const form = buildForm(http({ Authentication: 'BasicAuthentication', User: 'alice' }, { Password: 'removed' }));
    const password = form.sections.flatMap((s) => s.fields).find((f) => f.name === 'Password');
    assert.equal(password?.secret, 'removed');
    assert.ok(password?.issues.some((issue) => issue.problem === 'required'));
  });

  it('shows the location ID only for OnPremise (or when set)', () => {
    assert.equal(fields(http()).has('CloudConnectorLocationId'), false);
    assert.equal(fields(http({ ProxyType: 'OnPremise', URL: 'http://erp.virtual:8000' })).has('CloudConnectorLocationId'), true);
    assert.equal(fields(http({ CloudConnectorLocationId: 'loc1' })).has('CloudConnectorLocationId'), true);
  });

  it('puts the validator problem next to its field', () => {
    const url = fields(http({ URL: 'not a url' })).get('URL');
    assert.ok(url?.issues.length, 'URL has a problem');
    assert.match(url.issues[0]?.message ?? '', /URL/);
  });

  it('keeps user-named and unknown properties in the additional table, secrets by name only', () => {
    const form = buildForm(http({ 'URL.headers.x-trace': 'on', MyOwnProperty: 'x' }, { 'URL.headers.Authorization': 'stored' }));
    const rows = new Map(form.additional.map((row) => [row.name, row]));
    assert.equal(rows.get('URL.headers.x-trace')?.value, 'on');
    assert.equal(rows.get('MyOwnProperty')?.value, 'x');
    assert.equal(rows.get('URL.headers.Authorization')?.secret, 'stored');
    assert.equal(rows.get('URL.headers.Authorization')?.value, undefined);
  });

  it('offers "did you mean" next to a mis-cased property', () => {
    const row = buildForm(http({ proxytype: 'OnPremise' })).additional.find((r) => r.name === 'proxytype');
    assert.match(row?.issues[0]?.message ?? '', /did you mean ProxyType/);
  });

  it('renders key stores as certificate pickers and enums with their values', () => {
    const shown = fields(http({ Authentication: 'ClientCertificateAuthentication' }));
    assert.equal(shown.get('KeyStoreLocation')?.input, 'certificate');
    assert.deepEqual(shown.get('ProxyType')?.values, ['Internet', 'OnPremise', 'PrivateLink']);
  });
});

describe('form model: other destination types', () => {
  it('TCP asks for Address and ProxyType, and has no authentication section', () => {
    const form = buildForm({ properties: { Name: 't', Type: 'TCP' }, secrets: {} });
    const shown = new Map(form.sections.flatMap((s) => s.fields.map((f) => [f.name, f] as const)));
    assert.equal(shown.get('Address')?.required, true);
    assert.equal(shown.get('ProxyType')?.required, true);
    assert.ok(!form.sections.some((s) => s.id === 'authentication'));
  });

  it('LDAP with basic authentication requires ldap.user and ldap.password', () => {
    const shown = fields({
      properties: { Name: 'l', Type: 'LDAP', 'ldap.url': 'ldap://dir:389', 'ldap.proxyType': 'OnPremise', 'ldap.authentication': 'BasicAuthentication' },
      secrets: {},
    });
    assert.equal(shown.get('ldap.user')?.required, true);
    assert.equal(shown.get('ldap.password')?.required, true);
    assert.equal(shown.get('ldap.password')?.input, 'secret');
  });

  it('MAIL with basic authentication requires mail.user and mail.password, and one host', () => {
    const shown = fields({ properties: { Name: 'm', Type: 'MAIL', Authentication: 'BasicAuthentication' }, secrets: {} });
    assert.equal(shown.get('mail.user')?.required, true);
    assert.equal(shown.get('mail.password')?.required, true);
    assert.ok(
      shown.get('mail.smtp.host')?.issues.some((issue) => issue.problem === 'required'),
      'one of the hosts is asked for',
    );
  });

  it('RFC follows the target mode: message server needs the system ID or port, not the system number', () => {
    const direct = fields({ properties: { Name: 'r', Type: 'RFC', 'jco.client.ashost': 'erp' }, secrets: {} });
    assert.equal(direct.get('jco.client.sysnr')?.required, true);
    assert.equal(direct.get('jco.client.client')?.required, true);
    const balanced = fields({ properties: { Name: 'r', Type: 'RFC', 'jco.client.mshost': 'ms' }, secrets: {} });
    assert.equal(balanced.get('jco.client.sysnr'), undefined);
    assert.ok(balanced.has('jco.client.r3name'));
  });

  it('a draft without a known Type still shows Name and Type, with the problem on Type', () => {
    const form = buildForm({ properties: { Name: 'x' }, secrets: {} });
    assert.deepEqual(
      form.sections.map((s) => s.id),
      ['general'],
    );
    const type = form.sections[0]?.fields.find((f) => f.name === 'Type');
    assert.ok(type?.issues.some((issue) => issue.problem === 'required'));
  });
});

describe('form model: validation input', () => {
  it('stands in for stored and replaced secrets, not for removed ones, and never carries a real value', () => {
    const input = validationInput({ properties: { Name: 'a' }, secrets: { Password: 'stored', clientSecret: 'replaced', KeyStorePassword: 'removed' } });
    assert.deepEqual(Object.keys(input).sort(), ['Name', 'Password', 'clientSecret']);
    assert.equal(input.Password, input.clientSecret);
    assert.equal(
      validateDestination(input).some((issue) => issue.field === 'Password' && issue.problem === 'required'),
      false,
    );
  });
});

describe('form model: a destination fragment', () => {
  const fragment = (properties: Record<string, string>, secrets: Draft['secrets'] = {}): Draft => ({ properties, secrets, fragment: true });

  it('shows FragmentName as the one required field, then the HTTP fields it may override, none required', () => {
    const form = buildForm(fragment({ FragmentName: 'other', Authentication: 'OAuth2ClientCredentials' }));
    const shown = new Map(form.sections.flatMap((section) => section.fields.map((field) => [field.name, field] as const)));
    assert.deepEqual(
      form.sections[0]?.fields.map((field) => field.name),
      ['FragmentName', 'Description'],
    );
    assert.equal(shown.has('Name'), false, 'a fragment has no Name field');
    assert.ok(shown.has('URL') && shown.has('clientId') && shown.has('tokenServiceURL'), [...shown.keys()].join(', '));
    assert.deepEqual(
      [...shown.values()].filter((field) => field.required).map((field) => field.name),
      ['FragmentName'],
    );
    assert.equal(form.errors, 0);
  });

  it('counts the errors the save check would refuse: no FragmentName, a bad URL', () => {
    const form = buildForm(fragment({ URL: 'ftp://x' }));
    assert.equal(form.errors, 2);
    const problems = form.sections.flatMap((section) => section.fields).flatMap((field) => field.issues.map((issue) => `${field.name}:${issue.problem}`));
    assert.deepEqual(problems.sort(), ['FragmentName:required', 'URL:invalid_url']);
  });

  it('the same properties as a destination would ask for Name and Type', () => {
    assert.ok(buildForm({ properties: { URL: 'https://x.example' }, secrets: {} }).errors >= 2);
  });
});
