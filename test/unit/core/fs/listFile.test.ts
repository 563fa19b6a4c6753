import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, isBtpError } from '../../../../src/core/errors';
import { AtomicJsonFile } from '../../../../src/core/fs/atomicJsonFile';
import { readListFile } from '../../../../src/core/fs/listFile';

describe('readListFile: { "version": 1, "<key>": [...] }', () => {
  const dir = mkdtempSync(join(tmpdir(), 'list-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fileWith = (name: string, text: string | undefined) => {
    const path = join(dir, name);
    if (text !== undefined) writeFileSync(path, text);
    return new AtomicJsonFile(path);
  };

  it('an absent file is an empty list; a written one comes back as it is', async () => {
    assert.deepEqual(await readListFile(fileWith('absent.json', undefined), 'connections'), { version: 1, connections: [] });
    const list = { version: 1, destinations: [{ name: 'erp' }], other: true };
    assert.deepEqual(await readListFile(fileWith('good.json', JSON.stringify(list)), 'destinations'), list);
  });

  const refused: [string, string, RegExp][] = [
    ['not JSON', '{"version": 1, "connections": [', /bad\.json is not valid JSON; fix or delete it/],
    ['another version', '{"version": 2, "connections": []}', /bad\.json was not written by this version/],
    ['no version', '{"connections": []}', /bad\.json was not written by this version/],
    ['the list under another key', '{"version": 1, "destinations": []}', /bad\.json was not written by this version/],
    ['the list not an array', '{"version": 1, "connections": {}}', /bad\.json was not written by this version/],
  ];
  for (const [what, text, message] of refused) {
    it(`${what}: InvalidInput naming the file`, async () => {
      await assert.rejects(readListFile(fileWith('bad.json', text), 'connections'), (error) => {
        assert.ok(isBtpError(error) && error.code === ErrorCode.InvalidInput, String(error));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
