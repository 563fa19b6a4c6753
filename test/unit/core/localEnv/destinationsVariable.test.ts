import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { envDestinations, mergeDestinationsVariable, onePortDestinations, proxyVariables } from '../../../../src/core/localEnv/destinationsVariable';

function codeOf(run: () => unknown): { code: string; field?: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(isBtpError(error), String(error));
    return { code: error.code, field: error.field, message: error.message };
  }
  assert.fail('expected an error');
}

describe('envDestinations', () => {
  it('has one entry per HTTP forward, sorted, without TCP forwards or credentials', () => {
    const entries = envDestinations([
      { destination: 'zeta', kind: 'http', localAddress: 'http://127.0.0.1:4002' },
      { destination: 'erp-tcp', kind: 'tcp', localAddress: '127.0.0.1:4003' },
      { destination: 'alpha', kind: 'http', localAddress: 'http://127.0.0.1:4001' },
      { destination: 'alpha', kind: 'http', localAddress: 'http://127.0.0.1:4009' },
    ]);
    assert.deepEqual(entries, [
      { name: 'alpha', url: 'http://127.0.0.1:4001', forwardAuthToken: false },
      { name: 'zeta', url: 'http://127.0.0.1:4002', forwardAuthToken: false },
    ]);
  });

  it('keeps only keys the approuter schema for the variable allows', () => {
    const allowed = new Set([
      'name',
      'url',
      'proxyHost',
      'proxyPort',
      'forwardAuthToken',
      'forwardAuthCertificates',
      'IASDependencyName',
      'strictSSL',
      'timeout',
      'proxyType',
      'setXForwardedHeaders',
    ]);
    for (const entry of envDestinations([{ destination: 'a', kind: 'http', localAddress: 'http://127.0.0.1:1' }])) {
      for (const key of Object.keys(entry)) assert.ok(allowed.has(key), key);
    }
  });
});

describe('one port: onePortDestinations and proxyVariables', () => {
  it('leaves a forward with a fragment out: it would shadow (or be shadowed by) its plain destination', () => {
    assert.deepEqual(
      envDestinations([
        { destination: 'erp', fragment: 'other', kind: 'http', localAddress: 'http://127.0.0.1:4001' },
        { destination: 'erp', kind: 'http', localAddress: 'http://127.0.0.1:4002' },
      ]),
      [{ name: 'erp', url: 'http://127.0.0.1:4002', forwardAuthToken: false }],
    );
  });

  it('leaves a one-port forward ("*") out of the per-port entries', () => {
    assert.deepEqual(envDestinations([{ destination: '*', kind: 'http', localAddress: 'http://127.0.0.1:4000' }]), []);
  });

  it("path form: the port's address (with its token) plus /<name>; proxy form: http://<name>.dest", () => {
    assert.deepEqual(onePortDestinations(['erp', 'crm', 'erp'], 'http://127.0.0.1:4000/~tok', 'path'), [
      { name: 'crm', url: 'http://127.0.0.1:4000/~tok/crm', forwardAuthToken: false },
      { name: 'erp', url: 'http://127.0.0.1:4000/~tok/erp', forwardAuthToken: false },
    ]);
    assert.deepEqual(onePortDestinations(['erp'], 'http://127.0.0.1:4000', 'proxy'), [{ name: 'erp', url: 'http://erp.dest', forwardAuthToken: false }]);
  });

  it('proxy variables in both spellings, loopback never proxied, the token as Basic credentials of the proxy URL', () => {
    assert.deepEqual(proxyVariables('http://127.0.0.1:4000'), {
      http_proxy: 'http://127.0.0.1:4000',
      HTTP_PROXY: 'http://127.0.0.1:4000',
      no_proxy: 'localhost,127.0.0.1,::1',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    });
    const withToken = proxyVariables('http://127.0.0.1:4000', 'abc-_12');
    assert.equal(withToken.http_proxy, 'http://btp:abc-_12@127.0.0.1:4000');
    assert.equal(withToken.HTTP_PROXY, withToken.http_proxy);
  });
});

describe('mergeDestinationsVariable', () => {
  const entries = [
    { name: 'erp', url: 'http://127.0.0.1:4001', forwardAuthToken: false as const },
    { name: 'crm', url: 'http://127.0.0.1:4002', forwardAuthToken: false as const },
  ];

  it("adds the forwards when nothing is set, and the user's own entries win by name", () => {
    assert.deepEqual(JSON.parse(mergeDestinationsVariable(undefined, entries)), entries);
    assert.deepEqual(JSON.parse(mergeDestinationsVariable('  ', entries)), entries);
    const own = [{ name: 'erp', url: 'http://erp.example:8000' }];
    assert.deepEqual(JSON.parse(mergeDestinationsVariable(JSON.stringify(own), entries)), [own[0], entries[1]]);
  });

  it('refuses a value that is not a JSON array, naming the field', () => {
    for (const bad of ['{"name":"x"}', 'not json', '"[]"']) {
      const error = codeOf(() => mergeDestinationsVariable(bad, entries));
      assert.equal(error.code, ErrorCode.InvalidInput);
      assert.equal(error.field, 'env.destinations');
    }
  });
});
