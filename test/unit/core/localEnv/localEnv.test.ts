import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingsFromVcapServices, type ConnectivityBinding } from '../../../../src/core/bindings';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { connectivityVcapServices } from '../../../../src/core/localEnv/connectivityVcap';
import { mergeDefaultEnv, readDefaultEnv, withoutMovedSecrets } from '../../../../src/core/localEnv/defaultEnv';
import { envDestinations, mergeDestinationsVariable, onePortDestinations, proxyVariables } from '../../../../src/core/localEnv/destinationsVariable';
import { CANARY_SECRET, connectivityKey, destinationKey, vcapEntry, xsuaaKey } from '../bindings/fixtures';

function codeOf(run: () => unknown): { code: string; field?: string; message: string } {
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

describe('connectivityVcapServices', () => {
  const [binding] = bindingsFromVcapServices(
    { connectivity: [vcapEntry('connectivity', 'my-conn', connectivityKey())] },
    { source: 'test' },
  ) as ConnectivityBinding[];
  assert.ok(binding);

  it('points the proxy at the local endpoints, both port spellings as strings', () => {
    const vcap = connectivityVcapServices(binding, { host: '127.0.0.1', httpPort: 20003, socks5Port: 20004 });
    const credentials = vcap.connectivity[0]!.credentials as Record<string, unknown>;
    assert.equal(credentials.onpremise_proxy_host, '127.0.0.1');
    assert.equal(credentials.onpremise_proxy_http_port, '20003');
    assert.equal(credentials.onpremise_proxy_port, '20003');
    assert.equal(credentials.onpremise_socks5_proxy_port, '20004');
    assert.equal(credentials.clientid, binding.credentials.clientid);
    assert.deepEqual(vcap.connectivity[0]!.tags, ['connectivity', 'conn', 'connsvc']);
  });

  it('leaves out the SOCKS5 port when the local side has none', () => {
    const vcap = connectivityVcapServices(binding, { host: '127.0.0.1', httpPort: 20003 });
    assert.equal('onpremise_socks5_proxy_port' in (vcap.connectivity[0]!.credentials as object), false);
  });

  it('round-trips through our own VCAP parser', () => {
    const vcap = connectivityVcapServices(binding, { host: '127.0.0.1', httpPort: 20003, socks5Port: 20004 });
    const parsed = readDefaultEnv({ VCAP_SERVICES: vcap }, 'vcap').connectivityBinding;
    assert.equal(parsed?.meta?.name, 'my-conn');
    assert.equal(parsed.credentials.onpremise_proxy_host, '127.0.0.1');
  });
});

describe('readDefaultEnv', () => {
  const file = {
    VCAP_SERVICES: {
      destination: [vcapEntry('destination', 'my-dest', destinationKey(), { tags: ['destination'] })],
      connectivity: [vcapEntry('connectivity', 'my-conn', connectivityKey(), { tags: ['connectivity'] })],
      xsuaa: [vcapEntry('xsuaa', 'my-uaa', xsuaaKey(), { plan: 'application', tags: ['xsuaa'] })],
    },
    destinations: [
      { name: 'backend', url: 'https://backend.example', username: 'alice', password: CANARY_SECRET, sapClient: '100', strictSSL: false, timeout: 30000 },
      { name: 'open', url: 'https://open.example', forwardAuthToken: true },
      { name: 'proxied', url: 'http://erp.internal', proxyHost: 'proxy.corp', proxyPort: 8080, color: 'blue' },
      { name: 'bad name!', url: 'https://x.example' },
      { url: 'https://nameless.example' },
      'not an object',
    ],
  };

  it('takes the destination and connectivity bindings and maps entries to destination properties', () => {
    const imported = readDefaultEnv(file, 'default-env.json');
    assert.equal(imported.destinationBinding?.meta?.name, 'my-dest');
    assert.equal(imported.connectivityBinding?.meta?.name, 'my-conn');
    assert.deepEqual(imported.destinations[0], {
      Type: 'HTTP',
      ProxyType: 'Internet',
      Name: 'backend',
      URL: 'https://backend.example',
      User: 'alice',
      Password: CANARY_SECRET,
      'sap-client': '100',
      TrustAll: 'true',
      'HTML5.Timeout': '30000',
      Authentication: 'BasicAuthentication',
    });
    assert.deepEqual(imported.destinations[1], {
      Type: 'HTTP',
      ProxyType: 'Internet',
      Name: 'open',
      URL: 'https://open.example',
      forwardAuthToken: 'true',
      Authentication: 'NoAuthentication',
    });
    assert.deepEqual(
      imported.destinations.map((d) => d.Name),
      ['backend', 'open', 'proxied'],
    );
  });

  it('names every entry or key it left out, and never echoes a secret', () => {
    const imported = readDefaultEnv(file, 'default-env.json');
    const fields = imported.notes.map((note) => note.field);
    assert.deepEqual(fields, [
      'destinations[2].proxyHost',
      'destinations[2].proxyPort',
      'destinations[2].color',
      'destinations[3].name',
      'destinations[4].name',
      'destinations[5]',
    ]);
    assert.ok(!JSON.stringify(imported.notes).includes(CANARY_SECRET));
  });

  it('refuses files with nothing to import or the wrong shape, naming the fix', () => {
    assert.equal(codeOf(() => readDefaultEnv([], 'f.json')).code, ErrorCode.InvalidInput);
    assert.match(codeOf(() => readDefaultEnv({ VCAP_SERVICES: { xsuaa: file.VCAP_SERVICES.xsuaa } }, 'f.json')).message, /nothing to import/);
    assert.equal(codeOf(() => readDefaultEnv({ destinations: { name: 'x' } }, 'f.json')).field, 'destinations');
  });
});

describe('withoutMovedSecrets', () => {
  const file = {
    PORT: 5000,
    VCAP_SERVICES: {
      destination: [vcapEntry('destination', 'my-dest', destinationKey(), { tags: ['destination'] })],
      'user-provided': [vcapEntry('user-provided', 'ups-conn', connectivityKey(), { tags: ['connectivity'] })],
      xsuaa: [vcapEntry('xsuaa', 'my-uaa', xsuaaKey(), { plan: 'application', tags: ['xsuaa'] })],
    },
    destinations: [
      {
        name: 'backend',
        url: 'https://b.example',
        username: 'alice',
        password: CANARY_SECRET,
        clientSecret: CANARY_SECRET,
        tokenServicePassword: CANARY_SECRET,
      },
    ],
  };

  it("removes the moved bindings' secrets and the entries' passwords, leaves everything else", () => {
    const cleaned = withoutMovedSecrets(file, { bindings: ['destination', 'connectivity'] }) as typeof file;
    const destination = cleaned.VCAP_SERVICES.destination[0]!.credentials as Record<string, unknown>;
    const connectivity = cleaned.VCAP_SERVICES['user-provided'][0]!.credentials as Record<string, unknown>;
    assert.equal(destination.clientsecret, undefined);
    assert.equal(connectivity.clientsecret, undefined);
    assert.equal(destination.clientid, (file.VCAP_SERVICES.destination[0]!.credentials as Record<string, unknown>).clientid);
    assert.deepEqual(cleaned.VCAP_SERVICES.xsuaa, file.VCAP_SERVICES.xsuaa, 'secrets not moved stay');
    assert.deepEqual(cleaned.destinations, [{ name: 'backend', url: 'https://b.example', username: 'alice' }]);
    assert.equal(cleaned.PORT, 5000);
    assert.equal((file.VCAP_SERVICES.destination[0]!.credentials as Record<string, unknown>).clientsecret, CANARY_SECRET, 'input untouched');
  });

  it('leaves a binding whose secret was not moved', () => {
    const cleaned = withoutMovedSecrets(file, { bindings: ['connectivity'] }) as typeof file;
    assert.equal((cleaned.VCAP_SERVICES.destination[0]!.credentials as Record<string, unknown>).clientsecret, CANARY_SECRET);
  });
});

describe('mergeDefaultEnv', () => {
  const entries = [{ name: 'erp', url: 'http://127.0.0.1:4001', forwardAuthToken: false as const }];

  it('creates the file content, or replaces same-named entries keeping every other key', () => {
    assert.deepEqual(mergeDefaultEnv(undefined, entries, 'f'), { destinations: entries });
    const existing = {
      PORT: 5000,
      VCAP_SERVICES: { xsuaa: [] },
      destinations: [
        { name: 'erp', url: 'http://old' },
        { name: 'mine', url: 'http://mine' },
      ],
    };
    assert.deepEqual(mergeDefaultEnv(existing, entries, 'f'), {
      PORT: 5000,
      VCAP_SERVICES: { xsuaa: [] },
      destinations: [{ name: 'mine', url: 'http://mine' }, entries[0]],
    });
  });

  it('refuses to write into a file that is not an object or whose destinations are not a list', () => {
    assert.equal(codeOf(() => mergeDefaultEnv([], entries, 'default-env.json')).field, 'default-env.json');
    assert.equal(codeOf(() => mergeDefaultEnv({ destinations: 'x' }, entries, 'f')).field, 'destinations');
  });
});
