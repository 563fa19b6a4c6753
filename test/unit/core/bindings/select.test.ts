import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCredentials } from '../../../../src/core/bindings/parseCredentials';
import { selectBinding } from '../../../../src/core/bindings/select';
import type { ServiceBinding, ServiceKind } from '../../../../src/core/bindings/types';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { matches } from './assertError';
import { connectivityKey, destinationKey, thrown, xsuaaKey } from '../../../support/bindingFixtures';

const make = (kind: ServiceKind, name?: string, instanceName?: string): ServiceBinding => {
  const key = kind === 'destination' ? destinationKey() : kind === 'connectivity' ? connectivityKey() : xsuaaKey();
  const meta = { ...(name === undefined ? {} : { name }), ...(instanceName === undefined ? {} : { instanceName }) };
  return parseCredentials(key, { expected: kind, meta });
};

const destA = make('destination', 'dest-a', 'dest-instance');
const destB = make('destination', 'dest-b', 'other-instance');
const destSameInstance = make('destination', 'dest-c', 'dest-instance');
const conn = make('connectivity', 'conn');
const uaa = make('xsuaa', undefined, 'uaa-instance');
const anonymous = make('xsuaa');

describe('selectBinding', () => {
  const good: ReadonlyArray<{ name: string; bindings: ServiceBinding[]; kind: ServiceKind; pick?: string; expect: ServiceBinding }> = [
    { name: 'the only binding of the kind', bindings: [destA, conn, uaa], kind: 'connectivity', expect: conn },
    { name: 'by binding name', bindings: [destA, destB, conn], kind: 'destination', pick: 'dest-b', expect: destB },
    { name: 'by instance name', bindings: [destA, destB], kind: 'destination', pick: 'other-instance', expect: destB },
    {
      name: 'a binding name beats an instance name match',
      bindings: [destA, destSameInstance, make('destination', 'dest-instance')],
      kind: 'destination',
      pick: 'dest-instance',
      expect: make('destination', 'dest-instance'),
    },
    { name: 'unnamed binding when it is the only one', bindings: [anonymous], kind: 'xsuaa', expect: anonymous },
  ];
  for (const testCase of good) {
    it(testCase.name, () => {
      assert.deepEqual(selectBinding(testCase.bindings, testCase.kind, testCase.pick), testCase.expect);
    });
  }

  const bad: ReadonlyArray<{ name: string; bindings: ServiceBinding[]; kind: ServiceKind; pick?: string; where?: string; code: string; fragment: string }> = [
    {
      name: 'none at all',
      bindings: [],
      kind: 'destination',
      where: 'VCAP_SERVICES',
      code: ErrorCode.BindingNotFound,
      fragment: 'No destination binding found in VCAP_SERVICES. Bind the service to the app or use a destination service key.',
    },
    {
      name: 'none of the kind lists what there is',
      bindings: [conn, uaa],
      kind: 'destination',
      code: ErrorCode.BindingNotFound,
      fragment: 'It has only: "conn" (connectivity), "uaa-instance" (xsuaa)',
    },
    {
      name: 'several without a name',
      bindings: [destA, destB, conn],
      kind: 'destination',
      where: 'SERVICE_BINDING_ROOT "/bindings"',
      code: ErrorCode.BindingInvalid,
      fragment:
        'SERVICE_BINDING_ROOT "/bindings" has 2 destination bindings: "dest-a" (destination, instance "dest-instance"), "dest-b" (destination, instance "other-instance"). Say which one to use',
    },
    {
      name: 'unknown name',
      bindings: [destA, destB],
      kind: 'destination',
      pick: 'dest-z',
      code: ErrorCode.BindingNotFound,
      fragment: 'No destination binding named "dest-z" in the given bindings. The destination bindings there are: "dest-a"',
    },
    {
      name: 'instance name shared by two bindings',
      bindings: [destA, destSameInstance],
      kind: 'destination',
      pick: 'dest-instance',
      code: ErrorCode.BindingInvalid,
      fragment: '2 destination bindings named "dest-instance"',
    },
  ];
  for (const testCase of bad) {
    it(`fails: ${testCase.name}`, () => {
      const error = thrown(() => selectBinding(testCase.bindings, testCase.kind, testCase.pick, testCase.where));
      assert.ok(isBtpError(error));
      assert.equal(error.code, testCase.code);
      matches(error.message, testCase.fragment);
    });
  }

  it('lists the choices in details', () => {
    const error = thrown(() => selectBinding([destA, destB], 'destination'));
    assert.ok(isBtpError(error));
    assert.deepEqual(error.details?.choices, ['dest-a', 'dest-b']);
  });

  it('narrows the type to the kind', () => {
    const binding = selectBinding([destA, conn], 'connectivity');
    assert.equal(binding.httpPort, 20003);
  });
});
