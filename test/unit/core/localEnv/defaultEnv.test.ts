import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { mergeDefaultEnv, readDefaultEnv, withoutMovedSecrets } from '../../../../src/core/localEnv/defaultEnv';
import { CANARY_SECRET, connectivityKey, destinationKey, vcapEntry, xsuaaKey } from '../../../support/bindingFixtures';

function codeOf(run: () => unknown): { code: string; field?: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(isBtpError(error), String(error));
    return { code: error.code, field: error.field, message: error.message };
  }
  assert.fail('expected an error');
}

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
