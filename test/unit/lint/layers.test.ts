import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { ESLint } from 'eslint';

// The layers are enforced by lint (scripts/lint/layers.mjs): each layer gets an import it must not have, and the
// project's own ESLint config must report it; a permitted import beside it must pass.
const root = new URL('../../../', import.meta.url).pathname;

const cases: ReadonlyArray<{ file: string; forbidden: string; permitted: string }> = [
  { file: 'src/core/forward/x.ts', forbidden: '../../extension/ctx', permitted: '../errors' },
  { file: 'src/core/x.ts', forbidden: '../sandbox/world', permitted: './errors' },
  { file: 'src/core/oauth/x.ts', forbidden: '../../protocol/ipc', permitted: '../errors' },
  { file: 'src/sandbox/x.ts', forbidden: '../cli/io', permitted: '../core/errors' },
  { file: 'src/sandbox/token/x.ts', forbidden: '../../extension/ctx', permitted: '../../core/errors' },
  { file: 'src/protocol/x.ts', forbidden: '../sandbox/world', permitted: '../core/errors' },
  { file: 'src/words/x.ts', forbidden: '../protocol/ipc', permitted: '../core/errors' },
  { file: 'src/cli/commands/x.ts', forbidden: '../../extension/ctx', permitted: '../../sandbox/world' },
  { file: 'src/extension/tree/x.ts', forbidden: '../../cli/io', permitted: '../../words/errorWords' },
  { file: 'webview/src/x.ts', forbidden: '../../src/core/errors', permitted: '../../src/protocol/ipc' },
];

describe('lint enforces the layers', () => {
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: root });
  });

  for (const { file, forbidden, permitted } of cases) {
    it(`${file}: importing ${forbidden} fails lint, ${permitted} passes`, async () => {
      const code = `import { a } from '${forbidden}';\nimport { b } from '${permitted}';\nexport const c = [a, b];\n`;
      const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
      const layerErrors = result!.messages.filter((message) => message.ruleId === 'layers/allowed-imports');
      assert.equal(layerErrors.length, 1, JSON.stringify(result!.messages));
      assert.equal(layerErrors[0]!.line, 1);
      assert.match(layerErrors[0]!.message, /may not import/);
    });
  }

  it('a re-export and a dynamic import are checked too', async () => {
    const code = "export { x } from '../sandbox/world';\nexport async function f() { return import('../cli/io'); }\n";
    const [result] = await eslint.lintText(code, { filePath: `${root}src/core/x.ts` });
    const lines = result!.messages.filter((message) => message.ruleId === 'layers/allowed-imports').map((message) => message.line);
    assert.deepEqual(lines, [1, 2]);
  });
});
