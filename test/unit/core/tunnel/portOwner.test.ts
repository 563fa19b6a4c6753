import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { describePortOwner, programName } from '../../../../src/core/tunnel/portOwner';

describe('describePortOwner', () => {
  it('programName: the file name of the executable, also of one replaced on disk since it started', () => {
    assert.equal(programName('/usr/local/bin/kubectl'), 'kubectl');
    assert.equal(programName('/usr/bin/node (deleted)'), 'node');
    assert.equal(programName(''), '');
  });

  // Node 24 names its main thread "MainThread", which is what /proc/<pid>/comm shows for every Node program.
  it(
    'names this process by its executable, on every Node line',
    { skip: process.platform !== 'linux' && 'reads /proc (Linux only; elsewhere it answers undefined)' },
    async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as { port: number };
        assert.equal(await describePortOwner(port), `pid ${process.pid} (${basename(process.execPath)})`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );
});
