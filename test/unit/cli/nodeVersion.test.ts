import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimumNode, unsupportedNode } from '../../../src/cli/nodeVersion';

describe('unsupportedNode: the CLI refuses a Node it cannot run on, with the fix', () => {
  const table: ReadonlyArray<[version: string, supported: boolean]> = [
    ['20.20.2', false],
    ['22.18.9', false],
    ['22.19.0', true],
    ['22.23.5', true],
    ['24.21.0', true],
    ['v22.19.1', true],
    ['18.0.0', false],
    ['100.0.0', true],
  ];
  for (const [version, supported] of table) {
    it(`${version} → ${supported ? 'runs' : 'refused'}`, () => {
      const problem = unsupportedNode(version, '22.19.0');
      if (supported) assert.equal(problem, undefined);
      else assert.match(problem ?? '', new RegExp(`needs Node 22\\.19\\.0 or later; this is Node ${version.replace(/\./g, '\\.')}\\..*Node LTS`));
    });
  }

  it('the minimum is engines.node of package.json', async () => {
    const manifest = (await import('../../../package.json', { with: { type: 'json' } })).default as { engines: { node: string } };
    assert.equal(manifest.engines.node, `>=${minimumNode}`);
  });
});
