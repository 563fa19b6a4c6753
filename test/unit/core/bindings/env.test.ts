import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBindingsFromEnv } from '../../../../src/core/bindings/env';
import { ErrorCode } from '../../../../src/core/errors';
import { matches } from './assertError';
import { connectivityKey, destinationKey, rejected, vcapEntry, xsuaaKey } from '../../../support/bindingFixtures';

describe('loadBindingsFromEnv', () => {
  let dir: string;
  let vcapFile: string;
  let root: string;
  const destVcap = JSON.stringify({ destination: [vcapEntry('destination', 'from-file', destinationKey())] });
  const uaaVcap = JSON.stringify({ xsuaa: [vcapEntry('xsuaa', 'from-env', xsuaaKey())] });
  const otherVcap = JSON.stringify({ hana: [vcapEntry('hana', 'db', { host: 'h' })] });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'btp-bindings-env-'));
    vcapFile = join(dir, 'vcap.json');
    await writeFile(vcapFile, destVcap);
    root = join(dir, 'bindings');
    await mkdir(join(root, 'k8s-conn'), { recursive: true });
    for (const [name, value] of Object.entries(connectivityKey())) {
      await writeFile(join(root, 'k8s-conn', name), typeof value === 'string' ? value : JSON.stringify(value));
    }
    await writeFile(join(root, 'k8s-conn', 'type'), 'connectivity');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: ReadonlyArray<{ name: string; env: () => NodeJS.ProcessEnv; expect: string[] }> = [
    { name: 'nothing set', env: () => ({}), expect: [] },
    { name: 'VCAP_SERVICES', env: () => ({ VCAP_SERVICES: uaaVcap }), expect: ['from-env'] },
    {
      name: 'VCAP_SERVICES_FILE_PATH wins over VCAP_SERVICES',
      env: () => ({ VCAP_SERVICES_FILE_PATH: vcapFile, VCAP_SERVICES: uaaVcap }),
      expect: ['from-file'],
    },
    { name: 'blank VCAP_SERVICES_FILE_PATH is unset', env: () => ({ VCAP_SERVICES_FILE_PATH: ' ', VCAP_SERVICES: uaaVcap }), expect: ['from-env'] },
    { name: 'SERVICE_BINDING_ROOT alone', env: () => ({ SERVICE_BINDING_ROOT: root }), expect: ['k8s-conn'] },
    { name: 'VCAP bindings win over SERVICE_BINDING_ROOT', env: () => ({ VCAP_SERVICES: uaaVcap, SERVICE_BINDING_ROOT: root }), expect: ['from-env'] },
    {
      name: 'VCAP without our services falls through to SERVICE_BINDING_ROOT',
      env: () => ({ VCAP_SERVICES: otherVcap, SERVICE_BINDING_ROOT: root }),
      expect: ['k8s-conn'],
    },
    { name: 'blank VCAP_SERVICES falls through to SERVICE_BINDING_ROOT', env: () => ({ VCAP_SERVICES: '', SERVICE_BINDING_ROOT: root }), expect: ['k8s-conn'] },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const bindings = await loadBindingsFromEnv(testCase.env());
      assert.deepEqual(
        bindings.map((binding) => binding.meta?.name),
        testCase.expect,
      );
    });
  }

  const failures: ReadonlyArray<{ name: string; env: () => NodeJS.ProcessEnv; code: string; fragment: () => string }> = [
    {
      name: 'VCAP_SERVICES_FILE_PATH names a missing file',
      env: () => ({ VCAP_SERVICES_FILE_PATH: join(dir, 'missing.json'), VCAP_SERVICES: uaaVcap }),
      code: ErrorCode.BindingNotFound,
      fragment: () => `VCAP_SERVICES_FILE_PATH file "${join(dir, 'missing.json')}" does not exist`,
    },
    {
      name: 'VCAP_SERVICES is not JSON',
      env: () => ({ VCAP_SERVICES: '{destination: []}' }),
      code: ErrorCode.BindingInvalid,
      fragment: () => 'VCAP_SERVICES is not valid JSON',
    },
    {
      name: 'the VCAP file is not JSON',
      env: () => ({ VCAP_SERVICES_FILE_PATH: join(dir, 'bad.json') }),
      code: ErrorCode.BindingInvalid,
      fragment: () => `VCAP_SERVICES_FILE_PATH file "${join(dir, 'bad.json')}" is not valid JSON`,
    },
    {
      name: 'SERVICE_BINDING_ROOT does not exist',
      env: () => ({ SERVICE_BINDING_ROOT: join(dir, 'no-root') }),
      code: ErrorCode.BindingNotFound,
      fragment: () => `SERVICE_BINDING_ROOT directory "${join(dir, 'no-root')}" does not exist`,
    },
  ];
  for (const failure of failures) {
    it(`fails: ${failure.name}`, async () => {
      await writeFile(join(dir, 'bad.json'), '{"destination": [');
      const error = await rejected(loadBindingsFromEnv(failure.env()));
      assert.equal((error as { code: string }).code, failure.code);
      matches((error as Error).message, failure.fragment());
    });
  }
});
