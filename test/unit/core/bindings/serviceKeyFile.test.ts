import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readServiceKeyFile } from '../../../../src/core/bindings/serviceKeyFile';
import { ErrorCode } from '../../../../src/core/errors';
import { assertIssue, matches } from './assertError';
import { connectivityKey, destinationKey, rejected } from '../../../support/bindingFixtures';

describe('readServiceKeyFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'btp-bindings-file-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files: ReadonlyArray<{ name: string; content: string; kind: string }> = [
    { name: 'bare.json', content: JSON.stringify(destinationKey()), kind: 'destination' },
    { name: 'bom.json', content: `\uFEFF${JSON.stringify(connectivityKey(), null, 2)}\n`, kind: 'connectivity' },
    {
      name: 'cf-v8.txt',
      content: `Getting key k1 for service instance conn as me@example.com...\n\n${JSON.stringify({ credentials: connectivityKey() }, null, 2)}\n`,
      kind: 'connectivity',
    },
  ];
  for (const file of files) {
    it(`reads ${file.name}`, async () => {
      const path = join(dir, file.name);
      await writeFile(path, file.content);
      const binding = await readServiceKeyFile(path);
      assert.equal(binding.kind, file.kind);
    });
  }

  it('missing file → BindingNotFound naming the path', async () => {
    const path = join(dir, 'nope.json');
    const error = await rejected(readServiceKeyFile(path));
    assert.equal((error as { code: string }).code, ErrorCode.BindingNotFound);
    assert.equal((error as { field: string }).field, 'path');
    matches((error as Error).message, `Service key file "${path}" does not exist`);
  });

  it('a directory → BindingInvalid naming the path', async () => {
    const path = join(dir, 'subdir');
    await mkdir(path);
    const error = await rejected(readServiceKeyFile(path));
    assert.equal((error as { code: string }).code, ErrorCode.BindingInvalid);
    matches((error as Error).message, `Service key file "${path}" is a directory`);
  });

  it(
    'an unreadable file → BindingInvalid naming the path',
    {
      skip:
        process.getuid?.() === 0
          ? 'root reads any file'
          : process.platform === 'win32' && 'chmod 000 on Windows only sets the read-only flag: the file stays readable',
    },
    async () => {
      const path = join(dir, 'locked.json');
      await writeFile(path, '{}');
      await chmod(path, 0o000);
      const error = await rejected(readServiceKeyFile(path));
      matches((error as Error).message, `"${path}" cannot be read: permission denied`);
    },
  );

  it('invalid JSON names the file and the position', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{\n  "clientid": "x",\n}\n');
    assertIssue(await rejected(readServiceKeyFile(path)), {
      field: 'json',
      problem: 'invalid_json',
      fragment: `The service key from file "${path}" is not valid JSON: Expected double-quoted property name at line 3, column 1`,
    });
  });

  it('validation errors name the file', async () => {
    const path = join(dir, 'incomplete.json');
    await writeFile(path, JSON.stringify({ ...destinationKey(), uri: 'destination-configuration.cfapps.eu10.hana.ondemand.com' }));
    const error = assertIssue(await rejected(readServiceKeyFile(path, { expected: 'destination' })), {
      field: 'uri',
      problem: 'invalid_url',
      fragment: 'does not start with http:// or https://',
    });
    matches(error.message, `The destination service key from file "${path}" is not valid:`);
  });
});
