import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionChoice } from '../../../src/cli/connectionChoice';

// One rule for the CLI and its entry's early connection: they must not disagree on which connection a command uses.

test('key, then --vcap, then the named connection (option before variable), then VCAP_SERVICES, then the only saved one', () => {
  const vcap = { VCAP_SERVICES: '{}' };
  assert.deepEqual(connectionChoice({ key: 'k.json', connection: 'dev' }, { BTP_CONNECT_CONNECTION: 'x' }), { from: 'key' });
  assert.deepEqual(connectionChoice({ vcap: true }, { BTP_CONNECT_CONNECTION: 'x' }), { from: 'environment' });
  assert.deepEqual(connectionChoice({ connection: 'dev' }, { BTP_CONNECT_CONNECTION: 'x', ...vcap }), { from: 'saved', name: 'dev' });
  assert.deepEqual(connectionChoice({}, { BTP_CONNECT_CONNECTION: 'x', ...vcap }), { from: 'saved', name: 'x' });
  assert.deepEqual(connectionChoice({}, vcap), { from: 'environment' });
  assert.deepEqual(connectionChoice({}, { SERVICE_BINDING_ROOT: '/bindings' }), { from: 'environment' });
  assert.deepEqual(connectionChoice({}, { BTP_CONNECT_CONNECTION: '' }), { from: 'only-saved' });
  assert.deepEqual(connectionChoice({ vcap: false }, {}), { from: 'only-saved' });
});
